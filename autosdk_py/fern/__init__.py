"""Fern Definition WebSocket channels as pass-2 input.

A Fern definition file with a top-level ``channel:`` (``chat.yml``) is read, with the files it
``imports:`` (transitively), into the same :class:`~autosdk_py.asyncapi.spec.AsyncApiDocument` the
AsyncAPI parser produces, so everything downstream (lift, models, realtime client IR, templates,
checker) is unchanged::

    from autosdk_py.fern import parse_fern
    api = parse_fern(Path("chat.yml"))        # instead of parse_asyncapi(doc)

``version`` is ``"fern"``; ``title`` is the channel's ``display-name``, else the file stem; ``data`` is
a synthetic document holding ``components.schemas`` (the same dict as ``schemas``), ``info`` and
``channels.<key>.messages.<message key>`` (what ``MessageSpec.pointer`` points at);
``schemas`` holds the JSON schema of every type the channel uses, from this file and imported ones
(``root.ConnectSessionSettings`` is schema ``ConnectSessionSettings``; when two files declare one
name, the later file's type is prefixed with its file stem: ``PackageFoo``).

Type mapping (Fern -> JSON Schema):

=====================================  =======================================================================
Fern                                    JSON Schema
=====================================  =======================================================================
``string``                              ``{"type": "string"}``
``integer`` / ``long`` / ``uint``       ``{"type": "integer"}`` (``long``: ``format: int64``; ``uint``: ``minimum: 0``)
``double`` / ``float``                  ``{"type": "number"}``
``boolean``                             ``{"type": "boolean"}``
``datetime`` / ``date``                 ``{"type": "string", "format": "date-time" | "date"}``
``uuid``                                ``{"type": "string", "format": "uuid"}``
``base64``                              ``{"type": "string", "contentEncoding": "base64"}``
``bigint``                              ``{"type": "string", "pattern": "^-?[0-9]+$"}``
``unknown``                             ``{}``
``optional<T>``                         ``{"anyOf": [T, {"type": "null"}]}``, and the property is not required
``nullable<T>``                         ``{"anyOf": [T, {"type": "null"}]}`` (still required)
``list<T>`` / ``set<T>``                ``{"type": "array", "items": T}`` (set: ``uniqueItems: true``)
``map<K, V>``                           ``{"type": "object", "additionalProperties": V}`` (+ ``propertyNames`` for named K)
``literal<"x">`` / ``literal<true>``    ``{"type": "string", "const": "x"}`` / ``{"type": "boolean", "const": true}``
``Name`` / ``import.Name``              ``{"$ref": "#/components/schemas/Name"}``
object (``properties``)                 ``{"type": "object", "properties", "required": [non-optional]}``
``extends: [A, B]``                     ``{"allOf": [{$ref A}, {$ref B}, <own object>]}``
``extra-properties: true``              ``additionalProperties: true``
enum (strings or ``{value, name}``)     ``{"type": "string", "enum": [values]}``
discriminated ``union:`` (default       ``{"oneOf": [$refs], "discriminator": {"propertyName": d, "mapping"}}``; every
discriminant ``type``)                  member is its own schema ``<Union><Value>``: an object member is
                                        ``{"allOf": [{$ref Obj}, {properties: {d: {const: value}}}]}``, any other
                                        type is ``{d: const, value: T}`` (``key:`` renames ``value``), no type is
                                        ``{d: const}``; ``base-properties`` are added to every member
``discriminated: false`` union          ``{"oneOf": [member schemas]}``
alias (``Name: T`` / ``type: T``)       the schema of T
``docs`` / ``default`` / deprecated     ``description`` / ``default`` / ``deprecated: true``
``validation``                          ``min``/``max`` -> ``minimum``/``maximum`` (``exclusiveMin: true`` ->
                                        ``exclusiveMinimum``), ``multipleOf``, ``minLength``, ``maxLength``,
                                        ``pattern``, ``format``; the kebab-case spellings (``min-length``,
                                        ``exclusive-min``, ``multiple-of``...) mean the same; also on parameters
=====================================  =======================================================================

The channel (key = the file stem, address = api ``base-path`` + ``channel.path``):

* ``path-parameters``, ``query-parameters`` and ``headers`` become ``ParamSpec``s; a parameter is
  required unless its type is ``optional<...>``; ``allow-multiple: true`` makes it an array. A named
  enum or scalar alias is inlined (``enum`` filled in), so ``connect()`` gets ``Literal[...]``/``int``.
  Fern ``default``s are the *server's* defaults: they are kept in the schema as documentation and
  never sent (``ParamSpec.default`` is ``None``), so ``access_token: {default: ''}`` does not put an
  empty ``access_token=`` on every handshake.
* An object-typed query parameter (Hume's ``session_settings: root.ConnectSessionSettings``) keeps
  the ``$ref`` to the object's schema (``x-fern-query-encoding: json``). The realtime client's
  ``connect()`` then takes it as ``str`` (a ``$ref`` has no scalar type) and sends it as one
  percent-encoded query value: pass JSON text, e.g.
  ``ConnectSessionSettings(system_prompt="hi").model_dump_json(exclude_none=True)`` ->
  ``?session_settings=%7B%22system_prompt%22%3A%22hi%22%7D``. The deepObject style
  (``session_settings[system_prompt]=hi``) is available through ``extra_query``. A warning says so.
  List/map-typed query parameters get a warning too: the runtime writes every query value with
  ``str()``, so repeated keys cannot be sent.
* ``messages``: ``origin: client`` -> direction ``send``, ``origin: server`` -> ``receive``. A body
  that names a type has ``payload = {"$ref": ...}`` and ``payload_schema``; an inline body
  (``properties``) or a container type (``list<...>``) is an inline payload (lifted to
  ``<Message>Payload`` by the models stage). A body whose type is a *union* becomes one message per
  member (key ``<message id>.<member>``): a discriminated union's member ``value`` is named ``value``
  and tagged ``(discriminant, value)``; an undiscriminated union of named types gives one message per
  named type, tagged by the type's ``literal<...>`` property when it has one (``type``, ``event``...
  preferred, as in the AsyncAPI parser). So Hume's ``publish: PublishEvent`` yields
  ``send_audio_input``, ``send_session_settings``... and ``subscribe`` a tagged ``recv()`` union.
  The union schema itself stays in ``schemas``. ``examples[].messages[]`` bodies (``type`` = message
  id) go to the message, or to the member whose tag they carry.
* ``auth: false`` -> no security. ``auth: true`` -> the API's default ``auth`` from ``api.yml``
  (``bearer`` -> ``bearer``; an ``auth-schemes`` entry with ``header:`` -> ``header`` with that name;
  ``scheme: bearer`` or ``Authorization`` with prefix ``Bearer`` -> ``bearer``; basic, oauth and other
  prefixes -> ``unsupported`` with a warning). When no ``api.yml`` is found the scheme is unknown:
  ``unsupported`` plus a warning. ``auth: SchemeName`` names a scheme directly.
* Servers come from ``environments`` (single URL, ``{url}``, or ``{urls}`` picked by the channel's
  ``url:``), default environment first, http(s) turned into ws(s) with a warning; without
  environments there are no servers (``protocol_ok`` is True and the caller passes ``base_url``).
  API-level settings (``auth``, ``auth-schemes``, ``environments``, ``default-environment``,
  ``base-path``, ``headers``) are looked up in the file itself, then in imported
  ``api.yml``/``__package__.yml``, then in an ``api.yml`` in the file's folder or up to three folders
  above (stopping at a folder with ``fern.config.json``/``generators.yml``).
* ``service`` and ``webhooks`` sections are ignored with a warning; ``errors`` are ignored.

Anything else is a ``SpecError`` naming the feature, the file, the JSON pointer into its YAML and the
line: unknown top-level, channel, message, type, property or parameter keys, generic types
(``Page<T>``), invalid type syntax, unknown types and imports (with did-you-mean), ``file`` types,
alias and ``extends`` cycles, discriminants that clash with a member's property, unknown example
message types, environments without a usable URL.

A problem inside a type declaration is an error only when the channel uses that type: reached from a
message body or a connect parameter through type references (properties, ``extends``, union members,
aliases), in this file or an imported one (``root.X``); the hint shows the path (``message 'publish' ->
PublishEvent -> AudioInput``). Real definitions share one ``__package__.yml`` between HTTP endpoints and
channels, so every other type is checked the same way and, when refused, skipped with a warning naming
the type, what was refused and where. A file without a channel uses all of its own types.
"""

from __future__ import annotations

from .parser import (
    FERN_VERSION,
    is_fern_definition,
    load_fern_as_document,
    parse_fern,
    parse_fern_document,
)

__all__ = ["FERN_VERSION", "is_fern_definition", "load_fern_as_document", "parse_fern", "parse_fern_document"]

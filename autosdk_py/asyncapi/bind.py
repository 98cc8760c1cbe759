"""Binding a read realtime document for a client SDK: what the client connects to and what it exchanges.

The parser reads a document as it is written; a client needs one connection per socket and every
value it sends in the handshake in its right place. :func:`bind` makes three changes, each with a note
in ``warnings``:

* Server variables fill ``{name}`` placeholders of their server's URL and nothing else. One with a
  default that is not in the URL is dropped: it is leftover templating, and the client would otherwise
  send ``?port=9000`` with every connection. One without a default is kept: it is a value the document
  requires that can only reach the server in the query string, and client_ir sends it there (OpenAI's
  ``model``, whose description says so; the docs call it a server variable).
* Channel parameters that are not in the channel's address (AsyncAPI 3.0 documents declare query
  parameters this way, sometimes with a ``location``) become optional query parameters, keeping their
  enum and default, instead of path parameters that no placeholder takes.
* Channels at the same address on the same servers are one WebSocket connection (AsyncAPI 3.0 documents
  often split one socket's messages into several channels): they become one channel, keyed by the first
  of them in document order, with every message of all of them and the union of their parameters.
  Channels with no address (3.0 dynamic channels) and non-WebSocket channels are never merged.
"""

from __future__ import annotations

from dataclasses import replace

from .spec import AsyncApiDocument, ChannelSpec, MessageSpec, ParamSpec, ServerSpec


def bind(api: AsyncApiDocument) -> AsyncApiDocument:
    """``api`` as the client sees it (one connection per socket; see the module docstring)."""
    notes = list(api.warnings)
    servers = tuple(_bind_server_variables(server, notes) for server in api.servers)
    channels = [_parameters_off_the_address(channel, notes) for channel in api.channels]
    channels = _merge_shared_addresses(channels, notes)
    return replace(api, servers=servers, channels=tuple(channels), warnings=tuple(notes))


# --- server variables ----------------------------------------------------------------------------


def _bind_server_variables(server: ServerSpec, notes: list[str]) -> ServerSpec:
    """``server`` without the variables that have a default and are not in its URL."""
    dropped = [v for v in server.variables if "{" + v.name + "}" not in server.url and v.default is not None]
    if not dropped:
        return server
    names = ", ".join(f"'{v.name}'" for v in dropped)
    notes.append(
        f"server '{server.key}': variable(s) {names} are not in its URL {server.url!r}: they are not sent (a "
        "server variable only fills a {placeholder} of the URL)"
    )
    return replace(server, variables=tuple(v for v in server.variables if v not in dropped))


# --- channel parameters outside the address --------------------------------------------------------


def _parameters_off_the_address(channel: ChannelSpec, notes: list[str]) -> ChannelSpec:
    if channel.address is None:  # a dynamic channel: no address, no client, nothing to move
        return channel
    in_address = [p for p in channel.path_params if "{" + p.name + "}" in channel.address]
    outside = [p for p in channel.path_params if "{" + p.name + "}" not in channel.address]
    if not outside:
        return channel
    described = ", ".join(f"'{p.name}'" + (f" (location {p.location})" if p.location else "") for p in outside)
    notes.append(
        f"channel '{channel.key}': parameter(s) {described} are not in its address {channel.address!r}: they are "
        "sent as optional query parameters"
    )
    # Optional: nothing in the document requires them once they are not part of the address.
    as_query = tuple(replace(p, required=False) for p in outside)
    return replace(channel, path_params=tuple(in_address), query_params=_union(channel.query_params, as_query))


# --- channels sharing an address -------------------------------------------------------------------


def _merge_shared_addresses(channels: list[ChannelSpec], notes: list[str]) -> list[ChannelSpec]:
    groups: dict[tuple[str, frozenset[str]], list[ChannelSpec]] = {}
    for channel in channels:
        if channel.address is not None and channel.protocol_ok:  # the same servers in any order: the same sockets
            groups.setdefault((channel.address, frozenset(channel.servers)), []).append(channel)
    result: list[ChannelSpec] = []
    for channel in channels:
        group = groups.get((channel.address, frozenset(channel.servers))) if channel.address is not None else None
        if not group or len(group) == 1 or not channel.protocol_ok:
            result.append(channel)
        elif group[0] is channel:  # the merged channel takes the first one's place
            names = ", ".join(f"'{c.key}'" for c in group)
            notes.append(
                f"channels {names} share the address {channel.address!r} (one socket): one client, "
                f"'{channel.key}', sends and receives the messages of all of them"
            )
            result.append(_merge(group))
    return result


def _merge(group: list[ChannelSpec]) -> ChannelSpec:
    first = group[0]
    messages: list[MessageSpec] = []
    seen: set[tuple[str, str]] = set()
    key_of: dict[str, str] = {}  # message pointer -> its key in the merged channel
    taken: set[str] = set()
    for channel in group:
        for message in channel.messages:
            if (message.pointer, message.direction) in seen:
                continue
            seen.add((message.pointer, message.direction))
            key = key_of.get(message.pointer)
            if key is None:  # two channels' messages may share a key: keys stay unique in one channel
                key = _unique(message.key, taken)
                key_of[message.pointer] = key
                taken.add(key)
            messages.append(message if key == message.key else replace(message, key=key))
    description = next((c.description for c in group if c.description), None)
    return replace(
        first,
        path_params=_union(*(c.path_params for c in group)),
        query_params=_union(*(c.query_params for c in group)),
        header_params=_union(*(c.header_params for c in group)),
        messages=tuple(messages),
        description=description,
    )


def _union(*lists: tuple[ParamSpec, ...]) -> tuple[ParamSpec, ...]:
    """The parameters of all lists, the first of each name kept (document order)."""
    by_name: dict[str, ParamSpec] = {}
    for params in lists:
        for param in params:
            by_name.setdefault(param.name, param)
    return tuple(by_name.values())


def _unique(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name

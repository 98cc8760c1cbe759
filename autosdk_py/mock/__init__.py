"""``autosdk mock``: a WebSocket server generated from an AsyncAPI document, for offline work.

The counterpart of a generated realtime client: point the client's ``base_url`` at it and
develop or test against the API without the real service::

    autosdk mock asyncapi.json [--host 127.0.0.1] [--port 8765] [--channel NAME]
                               [--session-timeout S] [--scenario FILE] [--api-key K]
                               [--strict] [--all-messages] [--package X] [--no-cache]
                               [--asyncapi-perspective client|server|auto] [--quiet]

or in-process::

    from autosdk_py.mock import MockServer

    with MockServer.from_spec("asyncapi.json", port=0, scenario="scenario.yaml") as mock:
        client = RealtimeClient("sk-test", base_url=mock.url)
        ...
        assert mock.connections[0].received[0]["type"] == "session.update"

What it does
------------

* **Routes.** Each WebSocket channel is served at the full path a generated client opens: the
  server ``pathname`` + the channel address (not repeated when the address already starts with
  it), ``{parameters}`` matching one path segment; literal routes are tried before templated
  ones (``/no-query`` before ``/{symbol}``). Other paths: HTTP 404.
* **Handshake checks.** The declared auth (bearer header, header or query API key, or a
  subprotocol such as ``openai-insecure-api-key.<key>``): any non-empty key, or exactly
  ``--api-key`` when given; else HTTP 401. Required query parameters and headers (server
  variables that are not in the URL count as query parameters, as in the client), and
  enum/type constraints of parameters: else HTTP 400. Rejections carry a JSON body
  ``{"error": {"status": 401, "code": "unauthorized", "message": "missing credentials: ..."}}``
  (codes ``not_found``, ``unauthorized``, ``bad_request``).
* **Validation.** Every client frame is matched to a client message, by its tag (``type``,
  ``message_type``...) when the channel's client messages have one, else by trying each, and
  validated with pydantic models generated from the document (strict JSON mode; see
  ``validate.py``). Binary frames match a binary client message.
* **Models cache.** The models are generated once per document and kept on disk (``cache.py``:
  ``$AUTOSDK_CACHE_DIR``, else ``$XDG_CACHE_HOME/autosdk-py/mock``, else
  ``~/.cache/autosdk-py/mock``), with the payloads chosen for the server messages; the first start
  says ``preparing models for N message(s) (first start for this document; cached for next
  time)...``, later ones take well under a second for OpenAI's document. Entries are checked
  (SHA-256 of every file) before use; a damaged one is regenerated. ``--no-cache`` generates every
  time; ``--package x`` validates with the models of an SDK generated earlier (``x.models``, class
  names from ``x/_manifest.json``) and generates nothing.
* **Error frames.** An invalid frame (not JSON, unknown tag, schema violation, unexpected binary)
  is answered with an error frame, in the document's own shape when the channel has a server
  message tagged ``error`` (its text goes to ``error.message``, ``message`` or ``error``; its code
  to ``error.code``/``code``, the client's ``event_id`` to ``error.event_id`` when those exist and
  stay valid), else::

      {"type": "error",
       "error": {"type": "invalid_request_error",
                 "code": "invalid_message",   # or invalid_json, unknown_event, binary_not_expected
                 "message": "duration_s: Input should be greater than or equal to 1",
                 "event": "watering_command"}}   # the frame's tag value, or null

  With ``--strict`` the connection is closed with code 1008 and the same text as reason instead.
* **Server payloads.** A message's examples from the document when one is valid, else a payload
  synthesized from its schema (see ``synth.py``), checked against the same models at startup.
* **Greeting and replies.** The default rule or a scenario file (format and rule: see
  ``scenario.py``). On connect, the greeting: the server messages that answer no client message
  and are named like a greeting (``hello``, ``welcome``, ``connected``, ``session.created``,
  ``SessionBegins``, ``RecognitionStarted``...) or described as sent on connection. A client
  message that no rule answers gets silence and one log line, ``no reply rule for <message>``
  (once per message, not per frame).
* **Contract tests** (``all_messages=True``, ``--all-messages``): on connect every server message of
  the channel is sent once, in document order, instead of the greeting (and of a scenario's
  ``on_connect``): its example when valid, else a payload synthesized and validated against its
  model; binary messages as binary frames. ``mock.unvalidated`` names the messages for which no
  valid payload could be made (none in the corpus or the real documents).
* **Sessions.** ``--session-timeout S`` closes a connection with 1000 ("session timeout") after S
  seconds without a client frame (inactivity, not total time). Connections are independent.
* **Output.** One line each on stderr: the listening URLs, connections (path, query with keys
  masked, subprotocol), invalid messages, timeouts, disconnections with message counts, and the
  shutdown on Ctrl-C (``autosdk mock: shutting down ...``, exit 0). ``--quiet`` silences them.
* **Recording.** In-process (``record=True``, the default) every connection keeps its frames
  (``received``, ``sent``) for tests to inspect. The CLI passes ``record=False``: connections keep
  counters (``frames_in``, ``frames_out``) and their last errors, only the last 100 closed
  connections and 1,000 log lines are kept, so a server under many clients does not grow.
* **Perspective.** ``perspective`` (``--asyncapi-perspective``) says which application the
  document describes, as for ``autosdk generate``; it decides which messages are the client's.
"""

from __future__ import annotations

from .scenario import Scenario, load_scenario
from .server import MockConnection, MockServer

__all__ = ["MockConnection", "MockServer", "Scenario", "load_scenario"]

"""The OpenAI sample SDK (`make openai`) in use: a REST call and a realtime session.

Both sides run against local servers on 127.0.0.1: a canned REST answer, and `autosdk mock`
serving OpenAI's AsyncAPI document. Swap `base_url=` for the real API and it is the same code.
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "Generated"), str(HERE.parent)]
ASYNCAPI = Path(os.environ.get("OPENAI_ASYNCAPI", HERE.parents[1] / ".." / "shared/specs/openai/asyncapi.json"))

from local_rest import json_answer, local_rest  # noqa: E402
from openai_sdk import OpenAIClient  # noqa: E402
from openai_sdk.models import (  # noqa: E402
    RealtimeClientEventInputAudioBufferAppend,
    RealtimeClientEventInputAudioBufferCommit,
    RealtimeClientEventSessionUpdate,
    RealtimeSessionCreateRequestGA,
)
from openai_sdk.realtime import RealtimeClient, UnknownMessage  # noqa: E402

from autosdk_py.mock import MockServer  # noqa: E402

CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello!", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
}


def main() -> None:
    routes = {("POST", "/v1/chat/completions"): json_answer(CHAT)}
    with (
        local_rest(routes) as rest_url,
        MockServer.from_spec(ASYNCAPI, scenario=HERE / "scenario.yaml", log=lambda _: None) as mock,
    ):
        # REST: the shape of a call
        client = OpenAIClient(api_key="sk-local", base_url=rest_url + "/v1")
        reply = client.chat.create_chat_completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
        print(f"REST   chat.create_chat_completion -> {type(reply).__name__}: {reply.choices[0].message.content!r}")

        # Realtime: same key and headers as the REST client; the models are the REST models.
        realtime = RealtimeClient.from_client(client, base_url=mock.url)
        with realtime.connect(model="gpt-realtime") as ws:
            print(f"WS     <- {type(ws.recv(timeout=5)).__name__}")
            ws.send_session_update(
                RealtimeClientEventSessionUpdate(session=RealtimeSessionCreateRequestGA(instructions="Be brief."))
            )
            print(f"WS     <- {type(ws.recv(timeout=5)).__name__}")
            audio = base64.b64encode(bytes(3200)).decode()
            for _ in range(3):
                ws.send_input_audio_buffer_append(RealtimeClientEventInputAudioBufferAppend(audio=audio))
            ws.send_input_audio_buffer_commit(RealtimeClientEventInputAudioBufferCommit())
            while True:
                event = ws.recv(timeout=5)
                assert not isinstance(event, UnknownMessage), event
                print(f"WS     <- {type(event).__name__} ({event.type})")
                if event.type == "response.done":
                    break
        client.close()
    print("OK: one SDK, one set of models, both APIs.")


if __name__ == "__main__":
    main()

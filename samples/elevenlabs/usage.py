"""The ElevenLabs sample SDK (`make elevenlabs`) in use: text to speech, then realtime speech to text.

Both sides run against local servers on 127.0.0.1: a canned REST answer, and `autosdk mock`
serving ElevenLabs' AsyncAPI document. The realtime client has its own models
(`elevenlabs_sdk.realtime.models`): its schemas do not exist in the REST document.
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "Generated"), str(HERE.parent)]
ASYNCAPI = Path(os.environ.get("ELEVENLABS_ASYNCAPI", HERE.parents[1] / ".." / "shared/specs/elevenlabs/asyncapi.json"))

from elevenlabs_sdk import ElevenLabsClient  # noqa: E402
from elevenlabs_sdk.realtime import RealtimeClient, UnknownMessage  # noqa: E402
from elevenlabs_sdk.realtime.models import InputAudioChunkPayload  # noqa: E402
from local_rest import local_rest  # noqa: E402

from autosdk_py.mock import MockServer  # noqa: E402

AUDIO = bytes(range(256)) * 16  # stands in for MP3 bytes


def main() -> None:
    routes = {("POST", "/v1/text-to-speech/voice-1"): (200, "audio/mpeg", AUDIO)}
    with (
        local_rest(routes) as rest_url,
        MockServer.from_spec(ASYNCAPI, scenario=HERE / "scenario.yaml", log=lambda _: None) as mock,
    ):
        client = ElevenLabsClient(api_key="xi-local", base_url=rest_url)
        speech = client.text_to_speech.text_to_speech_full("voice-1", text="hello world", model_id="eleven_v3")
        print(f"REST   text_to_speech.text_to_speech_full -> {len(speech)} bytes of audio")

        realtime = RealtimeClient(api_key="xi-local", base_url=mock.url)
        with realtime.connect() as ws:
            print(f"WS     <- {type(ws.recv(timeout=5)).__name__}")
            chunk = base64.b64encode(speech[:1024]).decode()
            ws.send_input_audio_chunk(InputAudioChunkPayload(audio_base_64=chunk, commit=True, sample_rate=16000))
            for _ in range(2):
                message = ws.recv(timeout=5)
                assert not isinstance(message, UnknownMessage), message
                print(f"WS     <- {type(message).__name__}: {message.text!r}")
        client.close()
    print("OK: REST SDK plus a realtime client with its own models.")


if __name__ == "__main__":
    main()

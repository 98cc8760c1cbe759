"""`make demo`: the whole mission on the built-in Plant Monitor example.

1. pass 1: OpenAPI -> models + HTTP client, used against the example's REST server;
2. pass 2: AsyncAPI -> realtime client that imports pass 1's models (the checker passes);
3. the checker rejecting a deliberately mismatched AsyncAPI document (nothing written);
4. the realtime client talking to `autosdk mock`, serving the same AsyncAPI document.

Runs offline: every server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import importlib
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUTPUT = ROOT / ".demo" / "Generated"


def step(title: str) -> None:
    print(f"\n== {title}")


def run(*args: str, expect: int = 0) -> None:
    shown = [Path(a).relative_to(ROOT).as_posix() if a.startswith(str(ROOT)) else a for a in args]
    print("$ autosdk " + " ".join(shown[1:]))
    proc = subprocess.run(args, cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    print("\n".join("  " + line for line in proc.stdout.rstrip().splitlines()))
    if proc.returncode != expect:
        sys.exit(f"command exited with {proc.returncode}, expected {expect}")
    if expect:
        print(f"  (exit code {proc.returncode}, as expected)")


def main() -> None:
    step("Pass 1: OpenAPI -> pydantic models + typed httpx client")
    autosdk = str(Path(sys.executable).with_name("autosdk"))
    run(autosdk, "generate", "examples/plants/openapi.yaml", "--namespace", "plant_monitor", "--output", str(OUTPUT))
    package = OUTPUT / "plant_monitor"
    print(f"  files: {sum(1 for p in package.rglob('*') if p.is_file())} under {package.relative_to(ROOT)}")

    step("Pass 2: AsyncAPI -> realtime client importing pass 1's models")
    run(autosdk, "generate", "examples/plants/asyncapi.yaml", "--types-namespace", "plant_monitor",
        "--generate-models", "false", "--output", str(OUTPUT))  # fmt: skip

    step("The checker rejects an AsyncAPI document whose schemas do not match (nothing is written)")
    run(
        autosdk, "check", "examples/plants/openapi.yaml", "examples/plants/asyncapi_mismatched.yaml",
        "--types-namespace", "plant_monitor", expect=1,
    )  # fmt: skip

    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(OUTPUT))
    from server import start_server  # the example's REST server, in this process

    plant_monitor = importlib.import_module("plant_monitor")
    server, _thread, url = start_server(port=0)
    print(f"  REST server listening on {url}")
    try:
        use_the_sdk(plant_monitor, url)
        use_the_realtime_client(url)
    finally:
        server.stop()
    print("\nDone. The generated package is in", package.relative_to(ROOT))


def use_the_sdk(plant_monitor: object, url: str) -> None:
    from plant_monitor import NotFoundError, PlantMonitorClient  # type: ignore[import-not-found]

    client = PlantMonitorClient(api_key="demo-token", base_url=url)

    step("JSON in, typed model out")
    created = client.plants.create_plant(name="Kitchen basil", species="herb", light="full-sun", tags=["kitchen"])
    print(f"  client.plants.create_plant(...) -> {type(created).__name__}(id={created.id!r}, name={created.name!r})")
    page = client.plants.list_plants(limit=2)
    print(f"  client.plants.list_plants(limit=2) -> {len(page.items)} plants: {[p.name for p in page.items]}")

    step("Retries: the server answers 429 with Retry-After: 0.1 once; the client waits and retries")
    # The runtime logs each retry on the package's logger; show those lines here.
    logging.basicConfig(format="  [log] %(message)s")
    logging.getLogger("plant_monitor").setLevel(logging.INFO)
    readings = client.readings.list_sensor_readings("plt_1")
    print(f"  client.readings.list_sensor_readings(...) -> {len(readings)} readings, e.g. {readings[0]!r}")

    step("Server-sent events as typed objects")
    with client.readings.stream_sensor_readings("plt_1") as stream:
        for reading in stream:
            print(f"  {type(reading).__name__}: {reading.kind} = {reading.value} {reading.unit}")

    step("Multipart upload and binary download")
    with tempfile.TemporaryDirectory() as tmp:
        photo_path = Path(tmp) / "basil.jpg"
        photo_path.write_bytes(client.media.download_plant_photo("plt_1", "ph_1"))
        photo = client.media.upload_plant_photo(created.id, file=photo_path, caption="first leaves")
        print(f"  uploaded {photo_path.stat().st_size} bytes -> Photo(id={photo.id!r}, caption={photo.caption!r})")
    with client.media.download_plant_photo_as_stream("plt_1", "ph_1") as chunks:
        print(f"  streamed download: {sum(len(c) for c in chunks)} bytes")

    step("Typed errors")
    try:
        client.plants.get_plant("no-such-plant")
    except NotFoundError as err:
        print(f"  NotFoundError: status={err.status_code} body={err.body}")
    client.close()


def use_the_realtime_client(rest_url: str) -> None:
    from plant_monitor import PlantMonitorClient  # type: ignore[import-not-found]
    from plant_monitor.models import WateringCommand  # type: ignore[import-not-found]
    from plant_monitor.realtime import RealtimeClient  # type: ignore[import-not-found]

    from autosdk_py.mock import MockServer

    step("Realtime: the generated client talking to `autosdk mock examples/plants/asyncapi.yaml`")
    scenario = HERE / "mock_scenario.yaml"
    with MockServer.from_spec(
        HERE / "asyncapi.yaml", scenario=scenario, log=lambda line: print("  [mock] " + line)
    ) as mock:
        rest = PlantMonitorClient(api_key="demo-token", base_url=rest_url)
        realtime = RealtimeClient.from_client(rest, base_url=mock.url)  # same token as the REST client
        with realtime.connect("plt_1", units="metric") as ws:
            first = ws.recv(timeout=5)
            print(f"  ws.recv() -> {type(first).__name__} (the very class of plant_monitor.models)")
            ws.send_watering_command(WateringCommand(plant_id="plt_1", duration_s=30))
            print("  ws.send_watering_command(WateringCommand(plant_id='plt_1', duration_s=30))")
            reply = ws.recv(timeout=5)
            print(f"  ws.recv() -> {type(reply).__name__}: health={reply.health!r}")


if __name__ == "__main__":
    main()

"""connect() parameters are typed as the models type the same schema, and their values travel as text.

A ``date-time`` query parameter is a ``datetime`` (as the same field of a payload model is), sent as
ISO 8601; a ``date`` whose document default is text accepts both; other formats stay ``str``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from autosdk_py.mock import MockServer
from autosdk_py.pipeline import GenerateOptions, generate

FIXTURE = Path(__file__).parents[1] / "specs" / "realtime" / "param_formats.yaml"


def test_parameters_agree_with_the_models_and_travel_as_iso_text(tmp_path: Path) -> None:
    result = generate(GenerateOptions(spec=FIXTURE, output=tmp_path, namespace="param_formats"))
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module(result.package)
        source = (result.package_dir / "_client.py").read_text(encoding="utf-8")
        assert "    from datetime import date, datetime\n" in source
        params = inspect.signature(package.RealtimeClient.connect).parameters
        annotations = {name: str(params[name].annotation) for name in ("since", "day", "id")}
        assert annotations == {"since": "datetime", "day": "date | str", "id": "str | None"}
        model = importlib.import_module(result.package + ".models").EventPayload
        assert model.model_fields["at"].annotation is datetime  # the same format in a payload field

        with MockServer.from_spec(FIXTURE, record=True) as mock:
            client = package.RealtimeClient(base_url=mock.url)
            since = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
            ident = uuid.UUID(int=1)
            with client.connect(since, day=date(2024, 2, 29), id=str(ident)):
                (connection,) = mock.wait_for_connections(1)
            with client.connect(since):
                connection_2 = mock.wait_for_connections(2)[1]
        assert connection.query == {
            "since": ["2024-05-01T12:30:00+00:00"],
            "day": ["2024-02-29"],
            "id": [str(ident)],
        }
        assert connection_2.query == {"since": ["2024-05-01T12:30:00+00:00"], "day": ["2024-01-01"]}
        assert connection.errors == [] and connection_2.errors == []
    finally:
        sys.path.remove(str(tmp_path))

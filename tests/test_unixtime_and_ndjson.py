"""Two contract defects: ``number`` + ``unixtime`` typed as ``int``, and line-delimited JSON streams.

The fixture is ``tests/specs/streams_and_unixtime.yaml``; the real specs are checked through the
session SDKs of ``tests/conftest.py``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from autosdk_py.models.codegen import number_formats_as_int
from autosdk_py.pipeline import GenerateOptions, generate
from tests.conftest import RealSdk

SPEC = Path(__file__).parent / "specs" / "streams_and_unixtime.yaml"


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("streams_sdk")
    generate(GenerateOptions(spec=SPEC, output=out, namespace="streams_sdk"))
    sys.path.insert(0, str(out))
    return importlib.import_module("streams_sdk")


# --- number + unixtime ---------------------------------------------------------------------------


def test_the_generator_maps_unixtime_numbers_to_int_and_we_undo_it() -> None:
    # The category: every ``number`` format the generator's own table maps to an int-only type.
    assert "unixtime" in number_formats_as_int()


def test_number_unixtime_accepts_fractions_and_integer_unixtime_stays_int(sdk: ModuleType) -> None:
    stamp = sdk.models.Stamp.model_validate({"created_at": 1.5, "updated_at": 2, "expires_at": 3.25})
    assert stamp.created_at == 1.5
    assert stamp.expires_at == 3.25
    assert sdk.models.Stamp.model_validate({"created_at": 1, "updated_at": 2}).created_at == 1
    with pytest.raises(pydantic.ValidationError):
        sdk.models.Stamp.model_validate({"created_at": 1, "updated_at": 2.5})
    assert sdk.models.LogLine.model_validate({"level": "info", "message": "m", "at": 0.25}).at == 0.25


def test_openai_response_created_at_accepts_a_fraction(openai_sdk: RealSdk) -> None:
    response_cls: Any = openai_sdk.package.models.Response
    field = response_cls.model_fields["created_at"]
    assert field.annotation is float
    adapter = pydantic.TypeAdapter(field.annotation)
    assert adapter.validate_python(1.5) == 1.5
    assert adapter.validate_python(1) == 1
    assert adapter.validate_json("1.5") == 1.5
    # Through the whole model too: whatever else is missing, created_at is not what fails.
    for value in (1.5, 1):
        try:
            response = response_cls.model_validate({"created_at": value})
        except pydantic.ValidationError as error:
            assert not [e for e in error.errors() if e["loc"][:1] == ("created_at",)], error
        else:
            assert response.created_at == value

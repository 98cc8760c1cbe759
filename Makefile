# Everything runs inside .venv, created here from Python 3.11+ (override with PYTHON=...).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

OPENAI_SPEC ?= ../shared/specs/openai/openapi.yaml
ELEVENLABS_SPEC ?= ../shared/specs/elevenlabs/openapi.json

.PHONY: install demo test golden bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## demo: generate the built-in Plant Monitor SDK and call a local server with it
demo: install
	$(BIN)/python examples/plants/demo.py

## test: the whole test suite (real HTTP servers on 127.0.0.1, real specs from ../shared/specs)
test: install
	$(BIN)/python -m pytest -q

## golden: regenerate the checked-in golden trees under tests/golden/ after an intended output change
golden: install
	AUTOSDK_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py

## bench: pass-1 wall time / peak memory vs datamodel-code-generator alone, and import times
bench: install
	$(BIN)/python benchmarks/bench.py --spec $(OPENAI_SPEC)

lint: install
	$(BIN)/ruff check autosdk_py tests benchmarks examples
	$(BIN)/mypy autosdk_py

clean:
	rm -rf $(VENV) Generated .demo .bench

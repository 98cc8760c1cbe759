# Everything runs inside .venv, created here from Python 3.11+ (override with PYTHON=...).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

OPENAI_SPEC ?= ../shared/specs/openai/openapi.yaml
OPENAI_ASYNCAPI ?= ../shared/specs/openai/asyncapi.json
ELEVENLABS_SPEC ?= ../shared/specs/elevenlabs/openapi.json
ELEVENLABS_ASYNCAPI ?= ../shared/specs/elevenlabs/asyncapi.json
AUTOSDK := $(BIN)/autosdk

.PHONY: install demo test golden bench lint clean openai elevenlabs samples samples-run

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
	AUTOSDK_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py tests/test_docs.py::test_golden_docs

## bench: pass-1 wall time / peak memory vs datamodel-code-generator alone, and import times
bench: install
	$(BIN)/python benchmarks/bench.py --spec $(OPENAI_SPEC)

## openai: one SDK for OpenAI's REST and realtime APIs; the realtime client imports the REST models
openai: install
	rm -rf samples/openai/Generated
	$(AUTOSDK) generate $(OPENAI_SPEC) --namespace openai_sdk --output samples/openai/Generated
	$(AUTOSDK) generate $(OPENAI_ASYNCAPI) --types-namespace openai_sdk --generate-models false \
		--output samples/openai/Generated
	$(AUTOSDK) docs $(OPENAI_ASYNCAPI) --types-namespace openai_sdk --output samples/openai/Generated/docs

## elevenlabs: the realtime schemas cannot share the REST namespace (the check says why), so the
## realtime client gets its own models in elevenlabs_sdk.realtime
elevenlabs: install
	rm -rf samples/elevenlabs/Generated
	$(AUTOSDK) generate $(ELEVENLABS_SPEC) --namespace elevenlabs_sdk --client-class-name ElevenLabsClient \
		--base-url https://api.elevenlabs.io --security-scheme ApiKey:Header:xi-api-key \
		--auth-env-var ELEVENLABS_API_KEY --output samples/elevenlabs/Generated
	@echo "== autosdk check: can the realtime client import elevenlabs_sdk's models? (expected: no)"
	@$(AUTOSDK) check $(ELEVENLABS_SPEC) $(ELEVENLABS_ASYNCAPI) --types-namespace elevenlabs_sdk \
		&& { echo "unexpected: the check passed"; exit 1; } || echo "== as expected: generating the realtime client with its own models"
	$(AUTOSDK) generate $(ELEVENLABS_ASYNCAPI) --namespace elevenlabs_sdk.realtime \
		--auth-env-var ELEVENLABS_API_KEY --output samples/elevenlabs/Generated
	$(AUTOSDK) docs $(ELEVENLABS_ASYNCAPI) --namespace elevenlabs_sdk.realtime --output samples/elevenlabs/Generated/docs

## samples: both dual-spec SDKs, then each sample's usage script against local servers
samples: openai elevenlabs samples-run

samples-run: install
	$(BIN)/python samples/openai/usage.py
	$(BIN)/python samples/elevenlabs/usage.py

## lint: ruff (rules and format) and mypy --strict on the generator, its tests, benchmarks and examples
lint: install
	$(BIN)/ruff check autosdk_py tests benchmarks examples
	$(BIN)/ruff format --check autosdk_py tests benchmarks examples
	$(BIN)/mypy autosdk_py

clean:
	rm -rf $(VENV) Generated .demo .bench samples/*/Generated

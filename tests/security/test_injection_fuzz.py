"""Issue 8: spec text must never run as code in a generated SDK, and wire values must arrive unchanged.

``test_injection_fuzz[<format>]`` writes every payload of ``payloads.py`` into every string-valued place of
an OpenAPI 3.0/3.1, AsyncAPI 2.6/3.0 and Fern document that the generator reads (``fuzz_specs.py``),
generates each document with the real pipeline, compiles every file, looks the wire values up in the
generated ASTs, then imports every module, builds every client and calls every method (and ``connect()``)
against a closed 127.0.0.1 port in a subprocess, and fails when a tripwire file exists afterwards. What
each string must do (generate, or be refused with its JSON pointer) is decided in ``rfc.py``. See
``harness.py`` for how cases are combined and isolated.

The failure message lists every failing (site, payload) pair grouped by cause, each with the generated
line that shows it. Environment variables:

* ``AUTOSDK_FUZZ_ISOLATION_SECONDS`` (default 20): time per format for re-running the cases of a failing
  combined document one by one; raise it for a complete list while many documents fail;
* ``AUTOSDK_FUZZ_REPORT``: a file the reports are appended to.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from autosdk_py.pipeline import GenerateOptions, generate

from . import rfc
from .fuzz_specs import FORMATS, Placement, new_builder, sites_for
from .harness import CALL, INJECTION, Case, Stage, Unit, UnitRun, build_cases, plan, run_format
from .payloads import BY_NAME, PAYLOADS, payloads_for

ISOLATION_SECONDS = float(os.environ.get("AUTOSDK_FUZZ_ISOLATION_SECONDS", "20"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_injection_fuzz(fmt: str, tmp_path: Path) -> None:
    report = run_format(fmt, tmp_path, ISOLATION_SECONDS)
    full = tmp_path / "report.txt"
    full.write_text(report.text() + "\n", encoding="utf-8")
    target = os.environ.get("AUTOSDK_FUZZ_REPORT")
    if target:
        with Path(target).open("a", encoding="utf-8") as out:
            out.write(report.text() + "\n\n")
    assert report.cases > 400 and report.units >= len(payloads_for(fmt)), "the fuzz documents lost their cases"
    assert not report.failures, f"{report.summary()}\n(every failing pair with its evidence: {full})"


# --- the harness itself ----------------------------------------------------------------------------------


# Where each code payload runs when a template splices it in raw: the quoting context it is written for.
CONTEXTS: dict[str, str] = {
    "dq-concat": 'X = "a{p}b"\n',
    "sq-concat": "X = 'a{p}b'\n",
    "tdq-inline": '"""{p}"""\n',
    "tsq-inline": "'''{p}'''\n",
    "tdq-newline-0": '"""{p}"""\nX = 1\n',
    "tdq-newline-4": 'class C:\n    """{p}"""\n',
    "tdq-newline-8": 'class C:\n    def m(self) -> None:\n        """{p}"""\n\n\nC().m()\n',
    "newline-code-comment": "# {p}\nX = 1\n",
    "newline-code-comment-8": "class C:\n    def m(self) -> None:\n        # {p}\n        return None\n\n\nC().m()\n",
    "fstring": 'X = f"a{p}b"\n',
}


@pytest.mark.parametrize("name", [p.name for p in PAYLOADS if p.code])
def test_code_payloads_run_in_their_context(name: str, tmp_path: Path) -> None:
    """Each code payload is live: spliced raw into its context, it creates its tripwire file."""
    trip = tmp_path / "tripped"
    payload = BY_NAME[name].render(str(trip))
    if name.startswith("jinja"):
        jinja2.Environment().from_string("a" + payload + "b").render()
    elif name == "backslash-dq":
        # a template that escapes the double quote but not the backslash
        exec(compile('X = "a' + payload.replace('"', '\\"') + 'b"\n', "<context>", "exec"), {})
    else:
        exec(compile(CONTEXTS[name].format(p=payload), "<context>", "exec"), {})
    assert trip.exists()


def test_cases_cover_every_site_once_per_payload(tmp_path: Path) -> None:
    for fmt in FORMATS:
        cases = build_cases(fmt, tmp_path)
        assert len({c.cid for c in cases}) == len(cases)
        assert {c.site.name for c in cases} == {s.name for s in sites_for(fmt)}
        assert len({(c.site.name, c.payload.name) for c in cases}) == len(cases)
        units = plan(fmt, cases)
        assert sorted(c.cid for u in units for c in u.cases) == sorted(c.cid for c in cases)
        assert all(len(u.cases) == 1 for u in units if u.cases[0].verdict.expect != "generate")


@pytest.mark.parametrize("fmt", ["openapi-3.1", "asyncapi-3.0"])
def test_checks_catch_code_that_runs_on_call_or_connect(fmt: str, tmp_path: Path) -> None:
    """A package whose operation (or connect()) runs code is caught by the tripwire and by the calls."""
    trip = tmp_path / "trip"
    stage = Stage(tmp_path, trip, "self-test")
    name, text = new_builder(fmt, "fz_selftest").text()
    spec = stage.specs / name
    spec.write_text(text, encoding="utf-8")
    result = generate(GenerateOptions(spec=spec, output=stage.output, namespace="fz_selftest"))
    if fmt.startswith("openapi"):
        module, anchor = result.package_dir / "resources" / "base.py", "self._client.request("
    else:
        module, anchor = result.package_dir / "ch_base.py", "options = connect_options("
    source = module.read_text(encoding="utf-8")
    assert anchor in source, f"{anchor!r} is not in {module}: update this self-test to the generated code"
    lines = source.split("\n")
    at = next(i for i, line in enumerate(lines) if anchor in line)
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    touch = f"str(__import__('pathlib').Path({str(trip / 'k0001')!r}).touch())"
    lines[at:at] = [indent + touch, indent + "undefined_name  # noqa: F821"]
    module.write_text("\n".join(lines), encoding="utf-8")

    case = Case("k0001", fmt, sites_for(fmt)[0], PAYLOADS[0], "x", rfc.GENERATE)
    run = UnitRun(Unit("fz_selftest", fmt, [case]), {"k0001": Placement("/x", "x")}, package_dir=result.package_dir)
    stage.check([run])
    causes = {p.cause for p in run.attributed["k0001"]}
    assert INJECTION in causes
    assert CALL in causes  # the NameError after the touch: the method (or connect()) was called


@pytest.mark.parametrize(
    ("rule", "value", "expect"),
    [
        (rfc.token, "X-Api-Key", "generate"),
        (rfc.token, "it's", "generate"),  # ' is a tchar
        (rfc.token, "X Key", "refuse"),
        (rfc.token, 'a"b', "refuse"),
        (rfc.token, "", "refuse"),
        (rfc.token, "X-K\u00e9y", "refuse"),
        (rfc.media_type, "application/json", "generate"),
        (rfc.media_type, 'application/json; charset="utf-8"', "generate"),
        (rfc.media_type, 'application/octet-stream; p="a\\"b\\\\c"', "generate"),
        (rfc.media_type, "application/js on", "refuse"),
        (rfc.media_type, 'application/json; p="a\nb"', "refuse"),
        (rfc.openapi_path(), '/k/a b/"c"', "generate"),
        (rfc.openapi_path(("id",)), "/k/{id}", "generate"),
        (rfc.openapi_path(), "/k/{id}", "refuse"),
        (rfc.openapi_path(), "/k/{{ x }}", "refuse"),
        (rfc.openapi_path(), "/k/a\nb", "refuse"),
        (rfc.openapi_path(), "/responses?beta=true", "generate"),
        (rfc.openapi_path(), "/k#frag", "refuse"),
        (rfc.openapi_path(), "/k/a#b", "refuse"),
        (rfc.openapi_path(), "/k/a?b", "generate"),
        (rfc.address, "/k/{id}", "either"),
        (rfc.address, "/k/a#b", "refuse"),
        (rfc.template_name, "a#b", "either"),
        (rfc.address, "/k/a\x85b", "refuse"),
        (rfc.template_name, "a/b c", "generate"),
        (rfc.template_name, "a}b", "refuse"),
        (rfc.template_name, "", "refuse"),
        (rfc.subprotocol, "openai-insecure-api-key.{apiKey}", "generate"),
        (rfc.subprotocol, "a b.{apiKey}", "refuse"),
        (rfc.any_name, "a\x00b", "generate"),
        (rfc.any_name, "", "either"),
        (rfc.unused_token, "a b", "either"),
        (rfc.unused_token, "a-b", "generate"),
        (rfc.json_name, "", "either"),
        (rfc.regex, "^a+$", "generate"),
        (rfc.regex, "a(", "either"),
        (rfc.fern_identifier, "Plant_2", "generate"),
        (rfc.fern_identifier, "2Plant", "refuse"),
        (rfc.fern_literal, 'say "hi"', "generate"),
        (rfc.fern_literal, 'it\'s "x"', "refuse"),
    ],
)
def test_rfc_decisions(rule: rfc.Rule, value: str, expect: str) -> None:
    assert rule(value).expect == expect


def test_a_refusal_names_the_string_or_its_holder() -> None:
    from .harness import _names_the_string

    placement = Placement("/paths/~1k/post/parameters/0/name", "X Key", ("/paths/~1k",))
    assert _names_the_string("/paths/~1k/post/parameters/0/name", placement)
    assert _names_the_string("/paths/~1k/post/parameters/0", placement)
    assert _names_the_string("/paths/~1k", placement)
    assert not _names_the_string("/paths/~1k/post", placement)
    assert not _names_the_string("/paths/~1other/post/parameters/0/name", placement)
    assert not _names_the_string(None, placement)
    key = Placement("/components/securitySchemes/a b", "a b")
    assert _names_the_string("/components/securitySchemes/a b/name", key)

"""The injection fuzz harness: cases -> documents -> generation -> compile, wire, import, call and tripwire checks.

A *case* is one payload at one site of one format. Cases are combined into *units* (one generated
package each): every case whose string must generate joins the document of its payload (one document per
payload and format, so ``info.title`` and the other once-per-document sites fit), and every case that
must or may be refused is a unit of its own (a refusal stops the whole document).

For each stage of units:

1. each document is written and generated in-process with the real pipeline
   (``autosdk_py.pipeline.generate``);
2. every generated ``.py`` file is compiled (what ``py_compile`` does, without writing ``.pyc`` files);
3. wire values are looked up as ``str`` constants in the ASTs of the generated files;
4. subprocesses (``child.py``, 60 packages each, each with a time limit) import every module of every
   package, build the clients with a dummy key and a closed 127.0.0.1 port, call every method (sync and
   async) and ``connect()`` every realtime client;
5. the tripwire folder is listed: a file there is a payload that ran (its name is the case id).

Problems found by steps 3 and 5 name their case. Any other problem of a combined unit (a crash, a
syntax error, an import error...) cannot be pinned on one case, so the unit is *isolated*: each of its
cases is run again as a unit of its own, within a time budget; what is left when the budget runs out is
reported per unit.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autosdk_py.errors import SpecError, SpecErrors
from autosdk_py.pipeline import GenerateOptions, generate

from .fuzz_specs import Placement, Site, new_builder, sites_for
from .payloads import REFUSAL_SAMPLE, Payload, payloads_for
from .rfc import GENERATE, Verdict

CHILD = Path(__file__).with_name("child.py")
CHILD_TIMEOUT = 300.0  # seconds for one subprocess
CHILD_PACKAGES = 60  # packages per subprocess: a hang costs one time limit for these only
FORMAT_CODES = {
    "openapi-3.0": "oa30",
    "openapi-3.1": "oa31",
    "asyncapi-2.6": "aa26",
    "asyncapi-3.0": "aa30",
    "fern": "fern",
}

# Causes, in the order the report lists them.
INJECTION = "code from the spec ran (tripwire file created)"
CRASH = "the generator crashed"
SYNTAX = "a generated file does not compile"
IMPORT = "a generated module fails to import"
CALL = "a client call or connect() failed other than with a connection error"
WIRE = "a wire value is not in the generated code as the exact string"
REFUSED = "a representable value was refused"
ACCEPTED = "an unrepresentable value was accepted"
POINTER = "a refusal does not name the JSON pointer of the string"
TIMEOUT = "the checks timed out"
UNISOLATED = "a combined document failed and was not isolated (time budget)"
COMBINATION = "a combined document failed, but none of its cases alone"
CAUSES = (INJECTION, CRASH, SYNTAX, IMPORT, CALL, WIRE, REFUSED, ACCEPTED, POINTER, TIMEOUT, UNISOLATED, COMBINATION)


@dataclass(frozen=True)
class Case:
    cid: str
    fmt: str
    site: Site
    payload: Payload
    value: Any  # the exact string (or, for value payloads, the value) written at the site
    verdict: Verdict

    @property
    def label(self) -> str:
        return f"{self.fmt} | {self.site.name} | {self.payload.name}"


@dataclass(frozen=True)
class Problem:
    cause: str
    detail: str
    evidence: str = ""
    same: str = ""  # problems of one case with the same cause and ``same`` text are reported once


def _dedupe(problems: Iterable[Problem]) -> list[Problem]:
    """One problem per (cause, same): a sync and an async call failing alike, or an import failing for the
    syntax error already reported, are one finding."""
    problems = list(problems)
    has_syntax = any(p.cause == SYNTAX for p in problems)
    kept: dict[tuple[str, str], Problem] = {}
    repeats: dict[tuple[str, str], int] = defaultdict(int)
    for problem in problems:
        if has_syntax and problem.cause == IMPORT and "SyntaxError" in problem.detail:
            continue
        key = (problem.cause, problem.same or problem.detail)
        if key in kept:
            repeats[key] += 1
        else:
            kept[key] = problem
    return [
        Problem(p.cause, p.detail + (f" (and {repeats[k]} more alike)" if repeats[k] else ""), p.evidence)
        for k, p in kept.items()
    ]


@dataclass
class Failure:
    problem: Problem
    case: Case | None = None  # None: a unit's problem (listed with its cases' sites)
    unit: Unit | None = None


@dataclass
class Unit:
    name: str  # the package name and the spec's file stem
    fmt: str
    cases: list[Case]


@dataclass
class UnitRun:
    unit: Unit
    placements: dict[str, Placement] = field(default_factory=dict)
    spec: Path | None = None
    error: BaseException | None = None
    package_dir: Path | None = None
    attributed: dict[str, list[Problem]] = field(default_factory=lambda: defaultdict(list))
    unattributed: list[Problem] = field(default_factory=list)
    tripped_while_generating: set[str] = field(default_factory=set)
    trees: dict[Path, ast.Module] = field(default_factory=dict)
    seconds: float = 0.0


def build_cases(fmt: str, trip_dir: Path, payloads: Sequence[Payload] | None = None) -> list[Case]:
    """Every site of ``fmt`` with every payload of ``fmt`` (refusals with those of ``REFUSAL_SAMPLE`` only)."""
    cases: list[Case] = []
    for site in sites_for(fmt):
        for payload in payloads if payloads is not None else payloads_for(fmt):
            cid = f"k{len(cases) + 1:04d}"
            if not payload.text and not site.values:
                continue
            rendered = payload.render(str(trip_dir / cid))
            value = site.wrap(rendered) if payload.text else rendered
            if payload.text:
                verdict = site.rule(value)
            else:
                verdict = Verdict("either", "a JSON number cannot be inf or nan") if payload.may_refuse else GENERATE
            if verdict.expect == "refuse" and payload.name not in REFUSAL_SAMPLE:
                continue
            cases.append(Case(cid, fmt, site, payload, value, verdict))
    return cases


def plan(fmt: str, cases: Sequence[Case]) -> list[Unit]:
    """One unit per payload (its cases that must generate), one unit per case that may be refused."""
    code = FORMAT_CODES[fmt]
    by_payload: dict[str, list[Case]] = {}
    units: list[Unit] = []
    for case in cases:
        if case.verdict.expect == "generate":
            by_payload.setdefault(case.payload.name, []).append(case)
        else:
            units.append(Unit(f"fz_{code}_{case.cid}", fmt, [case]))
    for index, (_, members) in enumerate(by_payload.items()):
        groups = [c.site.group for c in members if c.site.group is not None]
        assert len(groups) == len(set(groups)), "a document holds one case of each group"
        units.append(Unit(f"fz_{code}_p{index:02d}", fmt, members))
    return units


def closed_port() -> int:
    """A 127.0.0.1 port nobody listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- one stage ---------------------------------------------------------------------------------------


class Stage:
    def __init__(self, root: Path, trip_dir: Path, label: str) -> None:
        self.root = root / label
        self.specs = self.root / "specs"
        self.output = self.root / "out"
        self.scratch = self.root / "cwd"
        for folder in (self.specs, self.output, self.scratch):
            folder.mkdir(parents=True, exist_ok=True)
        self.trip_dir = trip_dir

    def run(self, units: Sequence[Unit], deadline: float | None = None) -> list[UnitRun]:
        """Generate and check ``units`` (stopping before a unit once ``deadline`` has passed)."""
        _clear(self.trip_dir)
        runs: list[UnitRun] = []
        for unit in units:
            if deadline is not None and time.monotonic() > deadline:
                break
            runs.append(self.generate(unit))
        self.check(runs)
        return runs

    def check(self, runs: Sequence[UnitRun]) -> None:
        """Import, construct and call in a subprocess, then read the tripwires and judge the refusals."""
        self.trip_dir.mkdir(parents=True, exist_ok=True)
        self.check_in_child([r for r in runs if r.package_dir is not None])
        tripped = {p.name for p in self.trip_dir.iterdir()}
        for run in runs:
            for case in run.unit.cases:
                if case.cid in tripped:
                    run.attributed[case.cid].append(
                        Problem(INJECTION, "the payload's code ran", _trip_evidence(run, case, self.trip_dir))
                    )
            self.judge_refusals(run)

    def generate(self, unit: Unit) -> UnitRun:
        started = time.perf_counter()
        run = UnitRun(unit)
        builder = new_builder(unit.fmt, unit.name)
        for case in unit.cases:
            run.placements[case.cid] = case.site.place(builder, case.cid, case.value)
        file_name, text = builder.text()
        spec = self.specs / file_name
        spec.write_text(text, encoding="utf-8")
        run.spec = spec
        try:
            result = generate(GenerateOptions(spec=spec, output=self.output, namespace=unit.name))
        except Exception as exc:  # a crash is a finding, reported with its message
            run.error = exc
        else:
            run.package_dir = result.package_dir
        run.tripped_while_generating = {c.cid for c in unit.cases if (self.trip_dir / c.cid).exists()}
        if run.package_dir is not None:
            self.compile_all(run)
            self.check_wire(run)
            run.trees.clear()
        run.seconds = time.perf_counter() - started
        return run

    def add(self, run: UnitRun, problem: Problem, case: Case | None = None) -> None:
        if case is not None:
            run.attributed[case.cid].append(problem)
        elif len(run.unit.cases) == 1:
            run.attributed[run.unit.cases[0].cid].append(problem)
        else:
            run.unattributed.append(problem)

    def compile_all(self, run: UnitRun) -> None:
        """Compile every generated file, as ``py_compile`` does but without writing ``.pyc`` files; keep the ASTs."""
        assert run.package_dir is not None
        for path in sorted(run.package_dir.rglob("*.py")):
            source = path.read_bytes()
            try:
                with warnings.catch_warnings():
                    # an invalid escape sequence ("C:\dir") is a warning today and a SyntaxError in a future Python
                    warnings.simplefilter("error")
                    tree = ast.parse(source, str(path))
                    compile(tree, str(path), "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as exc:
                self.add(run, Problem(SYNTAX, _one_line(f"{type(exc).__name__}: {exc}"), _syntax_evidence(exc, run)))
                continue
            run.trees[path] = tree

    def check_wire(self, run: UnitRun) -> None:
        assert run.package_dir is not None
        cache: dict[tuple[str | None, bool], set[str]] = {}
        for case in run.unit.cases:
            if not case.site.wire or case.verdict.expect == "refuse":
                continue
            placement = run.placements[case.cid]
            if not isinstance(placement.value, str):
                continue  # a non-string value: no constant of the same spelling to look for
            files = _scope_files(run.package_dir, placement.scope)
            if any(f not in run.trees for f in files):
                continue  # a file that does not compile is reported as such; its constants are unknown
            key = (placement.scope, case.site.json_key)
            if key not in cache:
                cache[key] = _constants([run.trees[f] for f in files], case.site.json_key)
            constants = cache[key]
            if placement.value not in constants:
                where = placement.scope if placement.scope and files else "the package"
                close = difflib.get_close_matches(placement.value, list(constants), n=2, cutoff=0.5)
                evidence = (
                    "closest constants: " + ", ".join(_short(c) for c in close) if close else "no similar constant"
                )
                self.add(
                    run,
                    Problem(WIRE, f"{_short(placement.value)} is not a str constant in {where}", evidence),
                    case,
                )

    def judge_refusals(self, run: UnitRun) -> None:
        errors = _spec_errors(run.error)
        if run.error is not None and not errors:
            evidence = self.unformatted_evidence(run) if len(run.unit.cases) == 1 else ""
            self.add(run, Problem(f"{CRASH} ({type(run.error).__name__})", _one_line(str(run.error), 300), evidence))
            return
        if run.error is not None and len(run.unit.cases) > 1:
            self.add(run, Problem(REFUSED, _one_line(str(errors[0]), 300)))  # combined units only hold "generate"
            return
        for case in run.unit.cases:
            expect = case.verdict.expect
            placement = run.placements[case.cid]
            if run.error is None:
                if expect == "refuse":
                    detail = f"{case.verdict.reason}; expected a SpecError at {_short(placement.pointer)}"
                    self.add(run, Problem(ACCEPTED, detail, _value_evidence(run, placement.value)), case)
            elif expect == "generate":
                self.add(run, Problem(REFUSED, _one_line(str(errors[0]), 300)), case)
            elif not any(_names_the_string(e.pointer, placement) for e in errors):
                pointers = ", ".join(_short(str(e.pointer)) for e in errors)
                detail = f"refused at {pointers}, expected {_short(placement.pointer)}"
                self.add(run, Problem(POINTER, detail, _one_line(str(errors[0]))), case)

    def unformatted_evidence(self, run: UnitRun) -> str:
        """For a crash in the formatting step (ruff cannot parse what was rendered): the first syntax error of
        the same document generated with formatting skipped. Evidence for the report only; the verdict (a
        crash) was reached with the real pipeline."""
        import contextlib
        from unittest import mock

        import autosdk_py.models
        from autosdk_py.models import formatting

        holders = [m for m in (formatting, autosdk_py.models) if hasattr(m, "format_python_files")]
        if run.spec is None or not holders:
            return ""
        output = self.scratch / "unformatted"
        with contextlib.ExitStack() as stack:
            for holder in holders:
                stack.enter_context(mock.patch.object(holder, "format_python_files", lambda files: dict(files)))
            try:
                result = generate(GenerateOptions(spec=run.spec, output=output, namespace=run.unit.name))
            except Exception:
                return ""
        for path in sorted(result.package_dir.rglob("*.py")):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as exc:
                if isinstance(exc, SyntaxError) and exc.lineno:
                    return "unformatted: " + _line_of(path, exc.lineno, result.package_dir)
                return f"unformatted: {path.relative_to(result.package_dir.parent)}: {_one_line(str(exc))}"
        return ""

    def check_in_child(self, runs: Sequence[UnitRun]) -> None:
        for start in range(0, len(runs), CHILD_PACKAGES):
            self.check_chunk(runs[start : start + CHILD_PACKAGES], start // CHILD_PACKAGES)

    def check_chunk(self, runs: Sequence[UnitRun], index: int) -> None:
        """One subprocess (with a time limit) checks ``runs``; each package's result is a line of a file."""
        results = self.root / f"results-{index}.jsonl"
        results.unlink(missing_ok=True)
        request = self.root / f"request-{index}.json"
        request.write_text(
            json.dumps(
                {
                    "output": str(self.output),
                    "port": closed_port(),
                    "results": str(results),
                    "packages": [{"package": r.unit.name, "kind": _kind(r.unit.fmt)} for r in runs],
                }
            ),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL", "_REALTIME_URL"))}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPATH", None)
        timed_out = False
        try:
            subprocess.run(
                [sys.executable, str(CHILD), str(request)],
                cwd=self.scratch,
                env=env,
                capture_output=True,
                timeout=CHILD_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            timed_out = True
        done: dict[str, dict[str, Any]] = {}
        if results.exists():
            for line in results.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                done[entry["package"]] = entry
        for run in runs:
            entry = done.get(run.unit.name)
            if entry is None:
                detail = f"no result after {CHILD_TIMEOUT:.0f} s" if timed_out else "the checking process died"
                self.add(run, Problem(TIMEOUT, detail))
                continue
            for p in entry["problems"]:
                cause = {"import": IMPORT, "construct": CALL, "call": CALL, "connect": CALL}.get(p["stage"], CALL)
                error = _one_line(p["error"])
                self.add(run, Problem(cause, f"{p['stage']} {p['where']}: {error}", p["line"], same=error))


def _names_the_string(pointer: str | None, placement: Placement) -> bool:
    """Whether a refusal's pointer names the string: its own pointer, one of the site's other pointers (the
    object holding it, a template it sits in), an ancestor up to two levels up, or (for a key) below it."""
    if pointer is None:
        return False
    if pointer in placement.pointers or pointer.startswith(placement.pointer + "/"):
        return True
    own = placement.pointer.split("/")
    theirs = pointer.split("/")
    return len(theirs) >= len(own) - 2 and own[: len(theirs)] == theirs


def _kind(fmt: str) -> str:
    return "openapi" if fmt.startswith("openapi") else "realtime"


def _clear(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def _spec_errors(error: BaseException | None) -> list[SpecError]:
    if isinstance(error, SpecError):
        return [error]
    if isinstance(error, SpecErrors):
        return list(error.errors)
    return []


def _one_line(text: str, limit: int = 240) -> str:
    """One printable line: whitespace collapsed, other unprintable characters escaped, cut at ``limit``."""
    flat = "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _short(value: str, limit: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _scope_files(package_dir: Path, scope: str | None) -> list[Path]:
    """The files a wire constant must be in; the whole package when the scope is not a generated path."""
    if scope is not None:
        target = package_dir / scope
        if target.is_file():
            return [target]
        if target.is_dir():
            return sorted(target.rglob("*.py"))
    return sorted(package_dir.rglob("*.py"))


def _constants(trees: Iterable[ast.Module], json_keys: bool) -> set[str]:
    """Every ``str`` constant in ``trees`` (and, for JSON keys, every model field name)."""
    found: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
            elif json_keys and isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        found.add(item.target.id)
    return found


def _syntax_evidence(exc: SyntaxError | ValueError, run: UnitRun) -> str:
    assert run.package_dir is not None
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        return _line_of(Path(exc.filename), exc.lineno, run.package_dir)
    return ""


def _line_of(path: Path, lineno: int, package_dir: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        text = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
    except OSError:
        text = ""
    return f"{path.relative_to(package_dir.parent)}:{lineno}: {_one_line(text, 300)}"


def _trip_evidence(run: UnitRun, case: Case, trip_dir: Path) -> str:
    """Where the payload became code: the statements calling ``__import__`` with the case's tripwire path."""
    if case.cid in run.tripped_while_generating:
        return "it ran while the generator was running (nothing generated executed yet)"
    if run.package_dir is None:
        return ""
    needle = str(trip_dir / case.cid)
    hits: list[str] = []
    for path in sorted(run.package_dir.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if needle not in text:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__"):
                continue
            # Widen the call to the expression that spliced it: ``"..." + str(__import__(...)...) + "..."``.
            shown: ast.AST = node
            while isinstance(parents.get(shown), (ast.Attribute, ast.Call)):
                shown = parents[shown]  # up to the payload's own ``str(...)`` call
                if isinstance(shown, ast.Call) and isinstance(shown.func, ast.Name) and shown.func.id == "str":
                    break
            while isinstance(parents.get(shown), (ast.BinOp, ast.JoinedStr, ast.FormattedValue)):
                shown = parents[shown]
            segment = ast.get_source_segment(text, shown) or ""
            if needle in segment:
                where = path.relative_to(run.package_dir.parent)
                hits.append(f"{where}:{node.lineno}: {_one_line(segment, 300)}")
    return " | ".join(sorted(set(hits))[:2])


def _value_evidence(run: UnitRun, value: object) -> str:
    """The first generated line holding ``value`` (as the file text has it), for an accepted unrepresentable value."""
    if run.package_dir is None or not isinstance(value, str) or not value:
        return ""
    needle = value.split("\n")[0][:60]
    for path in sorted(run.package_dir.rglob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n"), 1):
            if needle and needle in line:
                return f"{path.relative_to(run.package_dir.parent)}:{lineno}: {_one_line(line.strip(), 300)}"
    return ""


# --- a whole format -------------------------------------------------------------------------------------


@dataclass
class Report:
    fmt: str
    cases: int
    units: int
    isolated: int
    seconds: float
    failures: list[Failure]
    timings: dict[str, float] = field(default_factory=dict)

    def headline(self) -> str:
        failing_cases = {f.case.cid for f in self.failures if f.case is not None}
        return (
            f"{self.fmt}: {self.cases} cases in {self.units} documents, {self.isolated} combined document(s) "
            f"isolated, {self.seconds:.0f} s; {len(failing_cases)} failing case(s), {len(self.failures)} problem(s)"
        )

    def by_cause(self) -> list[tuple[str, list[Failure]]]:
        grouped: dict[str, list[Failure]] = defaultdict(list)
        for failure in self.failures:
            grouped[failure.problem.cause].append(failure)
        order = sorted(grouped, key=lambda c: next((i for i, k in enumerate(CAUSES) if c.startswith(k)), 99))
        return [(cause, sorted(grouped[cause], key=_failure_key)) for cause in order]

    def text(self) -> str:
        """Every failing (site, payload) pair by cause, each with its evidence (the generated line)."""
        lines = [self.headline()]
        for cause, failures in self.by_cause():
            lines.append(f"== {cause}: {len(failures)}")
            for failure in failures:
                who = failure.case.label if failure.case else _unit_label(failure.unit)
                lines.append(f"  {who}: {failure.problem.detail}")
                if failure.problem.evidence:
                    lines.append(f"      {failure.problem.evidence}")
        return "\n".join(lines)

    def summary(self) -> str:
        """Per cause and site: the failing payloads and the evidence of the first of them."""
        lines = [self.headline()]
        for cause, failures in self.by_cause():
            lines.append(f"== {cause}: {len(failures)}")
            by_site: dict[str, list[Failure]] = defaultdict(list)
            for failure in failures:
                by_site[failure.case.site.name if failure.case else _unit_label(failure.unit)].append(failure)
            for site, mine in by_site.items():
                payloads = sorted({f.case.payload.name for f in mine if f.case is not None})
                lines.append(f"  {site}: {', '.join(payloads) or mine[0].problem.detail}")
                first = mine[0].problem
                lines.append(f"      {_one_line(first.detail, 200)}")
                if first.evidence:
                    lines.append(f"      {first.evidence}")
        return "\n".join(lines)


def _failure_key(failure: Failure) -> tuple[str, str]:
    if failure.case is not None:
        return (failure.case.site.name, failure.case.payload.name)
    return ("~", failure.unit.name if failure.unit else "")


def _unit_label(unit: Unit | None) -> str:
    if unit is None:
        return "?"
    sites = sorted({c.site.name for c in unit.cases})
    payloads = sorted({c.payload.name for c in unit.cases})
    return f"{unit.fmt} | document {unit.name} ({len(unit.cases)} cases: payload(s) {', '.join(payloads)}; " + (
        f"{len(sites)} sites)"
    )


def run_format(fmt: str, root: Path, isolation_budget: float, payloads: Sequence[Payload] | None = None) -> Report:
    started = time.monotonic()
    trip_dir = root / "trip"
    cases = build_cases(fmt, trip_dir, payloads)
    units = plan(fmt, cases)
    first = Stage(root, trip_dir, "combined").run(units)
    timings = {"combined": time.monotonic() - started}
    failures: list[Failure] = []
    to_isolate: list[UnitRun] = []
    for run in first:
        if run.unattributed and len(run.unit.cases) > 1:
            to_isolate.append(run)
        else:
            failures.extend(_failures_of(run))
    isolated = 0
    if to_isolate:
        deadline = time.monotonic() + isolation_budget
        singles = [Unit(f"{r.unit.name}_{c.cid}", fmt, [c]) for r in to_isolate for c in r.unit.cases]
        second = {r.unit.cases[0].cid: r for r in Stage(root, trip_dir, "isolated").run(singles, deadline)}
        for run in to_isolate:
            mine = [second[c.cid] for c in run.unit.cases if c.cid in second]
            if len(mine) < len(run.unit.cases):
                for problem in _dedupe(run.unattributed):
                    failures.append(Failure(Problem(UNISOLATED, problem.detail, problem.evidence), unit=run.unit))
                failures.extend(_failures_of(run, unattributed=False))
                continue
            isolated += 1
            for single in mine:
                failures.extend(_failures_of(single))
            if not any(s.attributed for s in mine):
                for problem in _dedupe(run.unattributed):
                    failures.append(Failure(Problem(COMBINATION, problem.detail, problem.evidence), unit=run.unit))
        timings["isolation"] = time.monotonic() - started - timings["combined"]
    return Report(fmt, len(cases), len(units), isolated, time.monotonic() - started, failures, timings)


def _failures_of(run: UnitRun, unattributed: bool = True) -> list[Failure]:
    by_cid = {c.cid: c for c in run.unit.cases}
    found = [Failure(p, case=by_cid[cid]) for cid, problems in run.attributed.items() for p in _dedupe(problems)]
    if unattributed:
        found += [Failure(p, unit=run.unit) for p in _dedupe(run.unattributed)]
    return found

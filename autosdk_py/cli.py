"""``autosdk``: the command line. Option names follow AutoSDK's CLI so its users feel at home."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from .asyncapi.read import perspective_option
from .errors import CheckFailed, SpecError, SpecErrors, terminal_safe
from .ref_roots import allowed_ref_roots

app = typer.Typer(
    name="autosdk",
    help="Generate typed Python SDKs (pydantic v2 + httpx + websockets) from OpenAPI and AsyncAPI specs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


AllowRefRoot = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-ref-root",
        help="Also read files under DIR when a $ref (AsyncAPI) or an import (Fern) names them; by default only "
        "files in the spec's own folder tree are read. Repeatable.",
        metavar="DIR",
    ),
]


Perspective = Annotated[
    str,
    typer.Option(
        "--asyncapi-perspective",
        help="The application the AsyncAPI document describes: client (3.0 'send' = the client sends; 2.x "
        "'publish' = the client receives), server (3.0 'send' = the server sends; 2.x 'publish' = the client "
        "sends) or auto (the default: client for 3.0, server for 2.x, each version's usual reading).",
    ),
]


def _bool_value(text: str, option: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise SpecError(f"{option} takes true or false, not {text!r}", hint=f"write e.g. '{option} false'")


def _echo(message: str, err: bool = False, nl: bool = True) -> None:
    """Print to the terminal with every non-printable character escaped: messages quote spec text."""
    typer.echo("\n".join(terminal_safe(line) for line in str(message).split("\n")), err=err, nl=nl)


def _fail(err: SpecError | SpecErrors) -> None:
    _echo(str(err), err=True)
    raise typer.Exit(code=1)


@contextmanager
def _reported_errors(interrupted: str = "interrupted; nothing was written") -> Iterator[None]:
    """One place that turns failures into messages and exit codes, never a traceback.

    Bad input (1), the checker's report (1), Ctrl-C (130) and, for bugs in autosdk itself,
    an "internal error" line (70; the traceback with AUTOSDK_DEBUG=1).
    """
    try:
        yield
    except (SpecError, SpecErrors) as err:
        _fail(err)
    except CheckFailed as failed:
        _echo(failed.report, err=True)
        _echo("Nothing was written.", err=True)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        _echo(interrupted, err=True)
        raise typer.Exit(code=130) from None
    except typer.Exit:
        raise
    except Exception as exc:
        _echo(f"autosdk: internal error: {type(exc).__name__}: {exc}", err=True)
        if os.environ.get("AUTOSDK_DEBUG"):
            traceback.print_exc()
        else:
            _echo("  (set AUTOSDK_DEBUG=1 for the traceback; please report it with the spec)", err=True)
        raise typer.Exit(code=70) from None


@app.command()
def generate(
    spec: Annotated[Path, typer.Argument(help="OpenAPI (3.0/3.1) or AsyncAPI (2.x/3.0) document, JSON or YAML.")],
    namespace: Annotated[
        str | None,
        typer.Option("--namespace", "-n", help="Dotted package path (x, acme.api); AutoSDK names are mapped to PEP 8."),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder the package is written into.")] = Path(
        "Generated"
    ),
    client_class_name: Annotated[
        str | None, typer.Option("--client-class-name", help="Name of the client class (default: from info.title).")
    ] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Default base URL (overrides servers).")] = None,
    security_scheme: Annotated[
        list[str] | None,
        typer.Option(
            "--security-scheme",
            help="Extra auth as Type:Location:Name, e.g. ApiKey:Header:xi-api-key or Http:Header:Bearer. Repeatable.",
        ),
    ] = None,
    auth_env_var: Annotated[
        list[str] | None,
        typer.Option("--auth-env-var", help="Environment variable holding a credential (one per scheme). Repeatable."),
    ] = None,
    exclude_deprecated_operations: Annotated[
        bool, typer.Option("--exclude-deprecated-operations", help="Leave out operations marked deprecated.")
    ] = False,
    types_namespace: Annotated[
        str | None,
        typer.Option("--types-namespace", help="(pass 2) Import the models of this pass-1 package instead."),
    ] = None,
    generate_models: Annotated[
        str | None,
        typer.Option(
            "--generate-models",
            help="(pass 2) true or false. Default: own models, unless --types-namespace is given.",
        ),
    ] = None,
    asyncapi_perspective: Perspective = "auto",
    websocket_class_name: Annotated[
        str | None,
        typer.Option(
            "--websocket-class-name", help="(pass 2) Name of the realtime client (a prefix for several channels)."
        ),
    ] = None,
    json_serializer_context: Annotated[
        str | None,
        typer.Option("--json-serializer-context", help="Accepted for AutoSDK compatibility; no effect in Python."),
    ] = None,
    allow_ref_root: AllowRefRoot = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Generate an SDK package from SPEC into OUTPUT/<namespace as folders>/."""
    from .pipeline import GenerateOptions
    from .pipeline import generate as run_generate

    def say(message: str) -> None:
        if not quiet:
            _echo(message, err=True)

    interactive = sys.stderr.isatty()

    def progress(step: str, elapsed: float | None) -> None:
        # One line per step: on a terminal the step shows while it runs, then gets its time.
        if quiet:
            return
        if elapsed is None:
            if interactive:
                _echo(f"  {step} ...", err=True, nl=False)
            return
        line = f" {elapsed:.1f} s" if interactive else f"  {step} ... {elapsed:.1f} s"
        _echo(line, err=True)

    started = time.perf_counter()
    with _reported_errors(), allowed_ref_roots(allow_ref_root or ()):
        options = GenerateOptions(
            spec=spec,
            output=output,
            namespace=namespace,
            client_class_name=client_class_name,
            base_url=base_url,
            security_schemes=tuple(security_scheme or ()),
            auth_env_vars=tuple(auth_env_var or ()),
            exclude_deprecated_operations=exclude_deprecated_operations,
            types_namespace=types_namespace,
            generate_models=None if generate_models is None else _bool_value(generate_models, "--generate-models"),
            websocket_class_name=websocket_class_name,
            asyncapi_perspective=perspective_option(asyncapi_perspective),
        )
        if json_serializer_context is not None:
            say("note: --json-serializer-context is a C# (System.Text.Json) setting; it has no effect in Python")
        result = run_generate(options, progress=progress)
    for note in result.notes:
        say(f"note: {note}")
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
    say(
        f"Generated package '{result.package}' in {result.package_dir} "
        f"({result.files_written} files; {counts}) in {time.perf_counter() - started:.1f} s"
    )


@app.command()
def check(
    openapi: Annotated[
        Path, typer.Argument(help="The OpenAPI document whose models the realtime client would import.")
    ],
    asyncapi: Annotated[Path, typer.Argument(help="The AsyncAPI document whose schemas must match them.")],
    types_namespace: Annotated[
        str | None, typer.Option("--types-namespace", help="Package name to report (default: from info.title).")
    ] = None,
    allow_ref_root: AllowRefRoot = None,
    asyncapi_perspective: Perspective = "auto",
) -> None:
    """Check, without writing anything, that every AsyncAPI schema matches an OpenAPI schema by name and shape."""
    from .asyncapi.read import read_realtime
    from .checker import check_against, manifest_from_openapi
    from .loader import load_document
    from .openapi.validate import validate_openapi
    from .pipeline import resolve_package

    with _reported_errors(), allowed_ref_roots(allow_ref_root or ()):
        rest = load_document(openapi, expect="openapi")
        validate_openapi(rest)
        realtime = load_document(asyncapi, expect="asyncapi")
        api = read_realtime(realtime, perspective_option(asyncapi_perspective))
        package, _ = resolve_package(types_namespace, rest, "--types-namespace")
        manifest = manifest_from_openapi(rest.data, package)
        inline = [
            (m.name, m.pointer)
            for ch in api.channels
            for m in ch.messages
            if m.payload is not None and m.payload_schema is None and not m.binary
        ]
        report = check_against(api.data, manifest, inline_payloads=inline)
    _echo(report.format(asyncapi, f"computed from {openapi}"))
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def version() -> None:
    """Print the version."""
    from . import __version__

    _echo(f"autosdk-py {__version__}")


@app.command()
def mock(
    spec: Annotated[Path, typer.Argument(help="AsyncAPI (2.x/3.0) document, JSON or YAML.")],
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0: any free port).")] = 8765,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Serve only this channel (key or address); default: all.")
    ] = None,
    session_timeout: Annotated[
        float | None,
        typer.Option("--session-timeout", help="Close a connection (1000) after S seconds without a client message."),
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="YAML/JSON file: which server messages follow which client messages."),
    ] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="Accept only this API key (default: any non-empty key).")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Close with 1008 on an invalid client message instead of an error frame.")
    ] = False,
    all_messages: Annotated[
        bool,
        typer.Option(
            "--all-messages",
            help="Contract tests: on connect send every server message of the channel once, in document order "
            "(replaces the greeting and a scenario's on_connect).",
        ),
    ] = False,
    package: Annotated[
        str | None,
        typer.Option(
            "--package",
            help="Validate with the models of this already generated (importable) package: x.models and "
            "x/_manifest.json, instead of generating them.",
        ),
    ] = None,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Reuse the models generated at a previous start (in $AUTOSDK_CACHE_DIR, else "
            "$XDG_CACHE_HOME/autosdk-py/mock, else ~/.cache/autosdk-py/mock).",
        ),
    ] = True,
    allow_ref_root: AllowRefRoot = None,
    asyncapi_perspective: Perspective = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Serve SPEC's WebSocket channels from a mock server that validates what clients send and answers.

    Replies: the document's examples, else payloads synthesized from the schemas. On connect: the greeting, the server messages that answer no client message and are named like one (hello, welcome, connected, session.created, SessionBegins...). After a client message: its AsyncAPI 3.0 operation reply, else the server message named like it in the past tense (session.update -> session.updated); else nothing, logged once.

    A --scenario file (YAML or JSON) changes that, e.g.:

    on_connect: \\[session.created]

    on: {session.update: \\[session.updated], input_audio_buffer.append: \\[{after: 0.05, send: response.output_audio.delta, repeat: 3}, response.done], "*": \\[]}

    Invalid client messages get an error frame (--strict: close 1008). Ctrl-C stops the server (exit 0).
    """
    from .mock import MockServer

    def say(line: str) -> None:
        if not quiet:
            _echo(line, err=True)

    if session_timeout is not None and session_timeout <= 0:
        _fail(SpecError(f"--session-timeout takes a number of seconds > 0, not {session_timeout:g}"))
        return
    with _reported_errors("autosdk mock: interrupted"), allowed_ref_roots(allow_ref_root or ()):
        try:
            server = MockServer.from_spec(
                spec,
                host=host,
                port=port,
                scenario=scenario,
                session_timeout=session_timeout,
                api_key=api_key,
                channel=channel,
                strict=strict,
                log=say,
                perspective=perspective_option(asyncapi_perspective),
                all_messages=all_messages,
                package=package,
                use_cache=cache,
                record=False,  # a long-running server keeps counters, not every frame
            )
            server.run()
        except OSError as exc:  # the port is taken, the host does not exist...
            _echo(f"autosdk mock: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
            raise typer.Exit(code=1) from None


@app.command()
def docs(
    spec: Annotated[
        Path, typer.Argument(help="AsyncAPI (2.x/3.0) document or Fern Definition channel file, JSON or YAML.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder the Markdown pages are written into.")] = Path(
        "docs"
    ),
    namespace: Annotated[
        str | None,
        typer.Option("--namespace", "-n", help="The package the realtime client was generated as (as for generate)."),
    ] = None,
    types_namespace: Annotated[
        str | None,
        typer.Option("--types-namespace", help="The pass-1 package whose models the client imports (as for generate)."),
    ] = None,
    allow_ref_root: AllowRefRoot = None,
    asyncapi_perspective: Perspective = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Write a WebSocket API reference in Markdown: OUTPUT/README.md and one page per channel.

    Each page: the Python quick start, the handshake (URL, parameters, headers, auth), every message
    the client sends and receives (the generated Python call or class, a fields table, an example)
    and the named types the payloads use. Pass the --namespace / --types-namespace given to
    generate, so the names match the generated client.
    """
    from .docs import generate_docs

    with _reported_errors(), allowed_ref_roots(allow_ref_root or ()):
        result = generate_docs(
            spec,
            output,
            namespace=namespace,
            types_namespace=types_namespace,
            perspective=perspective_option(asyncapi_perspective),
        )
    if not quiet:
        for note in result.notes:
            _echo(f"note: {note}", err=True)
        _echo(f"Wrote {len(result.pages)} page(s) to {result.output}: {', '.join(result.pages)}", err=True)


def main() -> None:
    app(prog_name="autosdk")


if __name__ == "__main__":  # pragma: no cover
    main()

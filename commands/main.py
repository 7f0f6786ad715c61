"""`relocate`: the command line's one boundary (alembic's `command` + `run_cmd` pattern).

Each verb is a module of this package with `add_parser(subparsers)`, which registers its options
and its function as `run`. `main` builds the parser, calls the chosen function, and is the only
place that turns a `CliError` into a line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from importlib.metadata import version
from types import FrameType

from commands import (
    backup,
    bench,
    compare,
    db,
    export,
    health,
    import_,
    imports,
    rollback,
    serve,
)
from commands.arguments import add_log_format, show_defaults
from commands.errors import FAILED, STOP_SIGNALS, CliError, interrupt, say, stopped_by
from commands.heap import keep_heap_flat
from commands.logs import configured_logging

VERBS = (import_, rollback, imports, export, compare, serve, health, backup, db, bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relocate",
        description="Import Sentry exports into a control silo and region silos.")
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {version('relocation')}")
    sub = parser.add_subparsers(dest="command", required=True)
    for verb in VERBS:
        verb.add_parser(sub)
    add_log_format(parser)
    show_defaults(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    keep_heap_flat()  # before any thread starts, so every arena is made under the limit
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for the resume command
    try:
        with _stop_signals_interrupt():
            return _run(args)
    finally:
        _silence_closed_outputs()


def _run(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as logging_on:  # still on while an error below is said
        try:
            logging_on.enter_context(configured_logging(args.log_format))
            return int(args.run(args))
        except CliError as exc:
            say(f"relocate: {exc.message}")
            return exc.exit_code
        except KeyboardInterrupt as exc:
            name, code = stopped_by(exc)
            say(f"\nrelocate: interrupted by {name}")
            return code
        except BrokenPipeError:
            # Whoever read the output went away (`relocate compare ... | head`): nothing is
            # wrong with the command, and nothing more can be written.
            return FAILED


@contextlib.contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP interrupt it as Ctrl-C does (`Stopped`), and
    all three first stop the retries of other threads (`errors.interrupt`); the handlers before
    are put back after (tests run commands inside pytest)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; it is the one they would interrupt
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        interrupt(signum)

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _silence_closed_outputs() -> None:
    """Point a closed stdout or stderr (`| head` gone) at /dev/null, so that the interpreter's
    own flush at exit neither fails nor changes the exit code."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())

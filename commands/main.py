"""`relocate`: the command line's one boundary (alembic's `command` + `run_cmd` pattern).

Each verb is a module of this package with `add_parser(subparsers)`, which registers its options
and its function as `run`. `main` builds the parser, calls the chosen function, and is the only
place that turns a `CliError` into a line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import version

from commands import backup, bench, compare, db, export, health, import_, serve
from commands.arguments import show_defaults
from commands.errors import FAILED, INTERRUPTED, CliError
from commands.heap import keep_heap_flat
from commands.log_level import configure_logging

VERBS = (import_, export, compare, serve, health, backup, db, bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relocate",
        description="Import Sentry exports into a control silo and region silos.")
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {version('relocation')}")
    sub = parser.add_subparsers(dest="command", required=True)
    for verb in VERBS:
        verb.add_parser(sub)
    show_defaults(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    keep_heap_flat()  # before any thread starts, so every arena is made under the limit
    args = build_parser().parse_args(argv)
    try:
        configure_logging()
        return int(args.run(args))
    except CliError as exc:
        print(f"relocate: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nrelocate: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        # Whoever read the output went away (`relocate compare ... | head`): nothing is wrong
        # with the command, and nothing more can be written; point stdout at /dev/null so
        # the interpreter's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return FAILED

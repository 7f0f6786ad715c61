"""`relocate bench generate|run`: the benchmark's options and work are tools/bench's; this verb
only puts them on the command line."""

from __future__ import annotations

from commands.arguments import Subparsers
from tools.bench import add_bench_commands, run_bench


def add_parser(sub: Subparsers) -> None:
    add_bench_commands(sub)
    sub.choices["bench"].set_defaults(run=run_bench)

"""`relocate compare LEFT RIGHT`: are two exports the same data? The work is tools/compare.py's."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from commands.arguments import Subparsers
from commands.errors import FAILED, USAGE, CliError
from orchestrator.findings import Finding, FindingsWriter, open_private, write_findings
from wire.errors import ImportFailure
from wire.scopes import ImportScope

if TYPE_CHECKING:
    from tools.compare import Comparer, Summary


def add_parser(sub: Subparsers) -> None:
    cmp = sub.add_parser("compare", help="compare two exports (exit 1 when they differ)")
    cmp.set_defaults(run=run)
    cmp.add_argument("left", type=Path, help="an export (e.g. the one that was imported)")
    cmp.add_argument("right", type=Path, help="an export (e.g. written by `relocate export`)")
    cmp.add_argument("--findings-file", type=Path,
                     help="write the differences (JSON findings) here; [] when equal")
    cmp.add_argument("--scope", choices=[s.value for s in ImportScope],
                     default=ImportScope.GLOBAL.value,
                     help="the scope RIGHT was imported in: accept what such an import "
                          "legitimately changes")


def run(args: argparse.Namespace) -> int:
    """Print each difference and `found N difference(s)`; exit 0 when equal, 1 otherwise."""
    for path in (args.left, args.right):
        if not path.is_file():
            raise CliError(f"{path}: no such file", USAGE)
    # Loaded here, not with the parser: the comparison reads the silos' model declarations
    # (SQLAlchemy), which every other verb's process need not pay to import.
    from tools.compare import Comparer

    comparer = Comparer(ImportScope(args.scope))
    try:
        summary = _compare(comparer, args.left, args.right, args.findings_file)
    except ImportFailure as failure:
        if args.findings_file:
            write_findings(args.findings_file, [Finding.from_failure(failure)])
        raise CliError(f"compare failed: {failure.reason}", FAILED) from failure
    print("\n".join(summary.lines(comparer.scope)))
    return FAILED if summary.differences else 0


def _compare(comparer: Comparer, left: Path, right: Path, findings: Path | None) -> Summary:
    """Compare, printing each difference as it is found and streaming it to `findings`."""
    with contextlib.ExitStack() as stack:
        writer = None
        if findings is not None:
            writer = FindingsWriter(stack.enter_context(open_private(findings)))

        def emit(finding: Finding) -> None:
            print(finding.line())
            if writer is not None:
                writer.add(finding)

        summary = comparer.run(left, right, emit)
        if writer is not None:
            writer.close()
    return summary

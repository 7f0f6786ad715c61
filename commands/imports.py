"""`relocate imports`: the imports the silos know, with their state."""

from __future__ import annotations

import argparse
import json

from commands.arguments import Subparsers, add_connection_arguments
from commands.silos import silo_clients
from orchestrator.report import Progress
from orchestrator.rollback import IMPORT_COLUMNS, list_imports


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("imports", help="list the imports the silos know (uuid, scope, when, "
                                       "source, records written, state)")
    p.set_defaults(run=run)
    p.add_argument("--json", action="store_true", help="print a JSON array instead of a table")
    add_connection_arguments(p)


def run(args: argparse.Namespace) -> int:
    """A table (or JSON) on stdout, oldest import first."""
    with silo_clients(args, Progress(enabled=False)) as (control, region):
        entries = list_imports(control, region)
    if args.json:
        print(json.dumps([entry.to_json() for entry in entries], indent=2))
        return 0
    rows = [IMPORT_COLUMNS, *(entry.row() for entry in entries)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(IMPORT_COLUMNS))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
    return 0

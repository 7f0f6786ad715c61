"""`relocate rollback --import-uuid U`: undo an import in both silos."""

from __future__ import annotations

import argparse
import uuid

from commands.arguments import Subparsers, add_connection_arguments
from commands.errors import FAILED, USAGE, CliError, say
from commands.silos import silo_clients
from orchestrator.report import Progress
from orchestrator.rollback import rollback
from wire.errors import ErrorKind, ImportFailure


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "rollback", help="undo an import: delete what it inserted, restore what it overwrote")
    p.set_defaults(run=run)
    p.add_argument("--import-uuid", required=True,
                   help="the import to undo (relocate imports lists them)")
    p.add_argument("--cascade", action="store_true",
                   help="also delete the rows written since the import that reference rows it "
                        "inserted (listed); without it, such rows refuse the rollback")
    p.add_argument("--dry-run", action="store_true",
                   help="say what would be deleted and restored, and change nothing")
    add_connection_arguments(p)


def run(args: argparse.Namespace) -> int:
    """Roll the import back; rerun it after an interruption to finish it."""
    try:
        import_uuid = uuid.UUID(args.import_uuid).hex
    except ValueError as exc:
        raise CliError(f"--import-uuid {args.import_uuid!r} is not a UUID", USAGE) from exc
    with silo_clients(args, Progress(enabled=False)) as (control, region):
        try:
            result = rollback(control, region, import_uuid, args.cascade, args.dry_run)
        except ImportFailure as failure:
            if failure.kind is ErrorKind.ROLLBACK_REFUSED:
                raise CliError(f"rollback refused: {failure.reason}", FAILED) from failure
            raise CliError(f"rollback stopped: {failure}. What it undid stays undone; run it "
                           "again to finish it", FAILED) from failure
    say(result.summary(args.dry_run))
    say(f"Import {import_uuid} " + ("was not changed (dry run)" if args.dry_run
                                    else "is rolled back"))
    return 0

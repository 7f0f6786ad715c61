"""`relocate export SCOPE DEST`: export from the silos in Sentry's format, optionally as
Sentry's encrypted tarball."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from commands.arguments import (
    Subparsers,
    add_connection_arguments,
    add_username_filter,
    filters,
    public_key,
    rerun_command,
    scope_parsers,
)
from commands.errors import FAILED, CliError, say, stopped_by
from commands.files import PRIVATE, check_destination, replacing
from commands.silos import silo_clients
from orchestrator.crypto import write_encrypted_tarball
from orchestrator.exporter import Exporter, ExportOptions, ExportReport
from orchestrator.findings import Finding, write_findings
from orchestrator.report import Progress
from wire.errors import ImportFailure
from wire.scopes import ImportScope


def add_parser(sub: Subparsers) -> None:
    for scope, p in scope_parsers(sub, "export", "export from the silos in Sentry's format",
                                  run):
        p.add_argument("dest", type=Path, help="the export file to write")
        add_connection_arguments(p)
        p.add_argument("--findings-file", type=Path,
                       help="write findings (JSON) here; [] when the export succeeds")
        p.add_argument("--no-prompt", action="store_true", help="accepted for symmetry")
        p.add_argument("--silent", action="store_true", help="print no progress or summary")
        p.add_argument("--encrypt-with", type=Path, metavar="PUBLIC.pem",
                       help="write Sentry's encrypted tarball for this RSA public key")
        if scope in (ImportScope.USER, ImportScope.CONFIG):
            add_username_filter(p, "export")
        if scope is ImportScope.ORGANIZATION:
            p.add_argument("--filter-org-slugs", help="comma-separated organization slugs")


def run(args: argparse.Namespace) -> int:
    """Export in Sentry's format; with --encrypt-with, as Sentry's encrypted tarball.

    The file is written beside DEST and renamed into place, readable only by its owner (it
    holds password hashes and secrets); an encrypted export's plaintext never reaches DEST.
    """
    check_destination(args.dest)
    public_pem = None if args.encrypt_with is None else public_key(args.encrypt_with)
    org_slugs, usernames = filters(args)
    options = ExportOptions(scope=ImportScope(args.scope), org_slugs=org_slugs,
                            usernames=usernames)
    try:
        report = _export(args, options, public_pem)
    except ImportFailure as failure:
        if args.findings_file:
            write_findings(args.findings_file, [Finding.from_failure(failure)])
        raise CliError(f"export failed: {failure}", FAILED) from failure
    except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP: DEST was left as it was
        name, code = stopped_by(stop)
        reason = (f"interrupted by {name}; {args.dest} is unchanged. To export again, run: "
                  f"{rerun_command(args)}")
        if args.findings_file:
            write_findings(args.findings_file,
                           [Finding.interrupted(name, f"the export was {reason}")])
        raise CliError(reason, code) from None
    if args.findings_file:
        write_findings(args.findings_file, [])
    if not args.silent:
        say(report.summary())
    return 0


def _export(args: argparse.Namespace, options: ExportOptions,
            public_pem: bytes | None) -> ExportReport:
    progress = Progress(enabled=False)
    with silo_clients(args, progress) as (control, region):
        exporter = Exporter(control, region, progress)
        if public_pem is None:
            with replacing(args.dest, PRIVATE) as out:
                return exporter.run(out, options)
        with tempfile.TemporaryFile(dir=args.dest.parent) as plain:
            report = exporter.run(plain, options)
            size = plain.tell()
            plain.seek(0)
            with replacing(args.dest, PRIVATE) as out:
                write_encrypted_tarball(plain, size, public_pem, out)
        return report

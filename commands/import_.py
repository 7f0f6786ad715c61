"""`relocate import SCOPE SRC`: import a Sentry export (plain or encrypted) into the silos."""

from __future__ import annotations

import argparse
import contextlib
import sys
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

from commands.arguments import (
    Subparsers,
    add_connection_arguments,
    add_username_filter,
    filters,
    rerun_command,
    scope_parsers,
)
from commands.errors import FAILED, USAGE, CliError, say, stopped_by
from commands.files import PRIVATE, check_destination, replacing
from commands.heap import frozen_gc
from commands.silos import silo_clients
from commands.sources import check_source, nothing_imported
from orchestrator.crypto import DecryptionError, check_export
from orchestrator.findings import Finding, write_findings
from orchestrator.importer import Importer, ImportOptions
from orchestrator.report import ImportReport, Progress
from wire.errors import ErrorKind, ImportFailure
from wire.scopes import ImportScope

INTEGRITY_HINT = (
    ">> Are you restoring from a backup of the same version of Sentry?\n"
    ">> Are you importing into databases that already hold this data? A rerun of the same\n"
    "   import resumes it when given the same --import-uuid.\n"
    ">> If neither explains it, please open an issue with the findings file attached.")

STDOUT = Path("-")  # --report-file - writes the report to stdout

SCOPE_FLAGS = {
    ImportScope.USER: {"usernames", "merge_users"},
    ImportScope.ORGANIZATION: {"org_slugs", "merge_users"},
    ImportScope.CONFIG: {"merge_users", "overwrite_configs"},
    ImportScope.GLOBAL: set(),
}


def add_parser(sub: Subparsers) -> None:
    for scope, p in scope_parsers(sub, "import", "import an export (a JSON array of records)",
                                  run):
        p.add_argument("src", type=Path,
                       help="the export: a JSON file, or an encrypted tarball (detected)")
        p.add_argument("--decrypt-with", type=Path, metavar="PRIVATE.pem",
                       help="RSA private key PEM (unencrypted) for an encrypted tarball")
        p.add_argument("--findings-file", type=Path,
                       help="write findings (JSON) here; [] when the import succeeds cleanly")
        p.add_argument("--report-file", type=Path, metavar="FILE",
                       help="write the import's report (every record accounted for, the full "
                            "rename and DSN lists) as JSON here; - writes it to stdout")
        p.add_argument("--no-prompt", action="store_true", help="do not ask for confirmation")
        p.add_argument("--silent", action="store_true", help="print no progress or summary")
        p.add_argument("--import-uuid",
                       help="name this import; rerunning with the same uuid resumes it")
        add_connection_arguments(p)
        flags = SCOPE_FLAGS[scope]
        if "usernames" in flags:
            add_username_filter(p, "import")
        if "org_slugs" in flags:
            p.add_argument("--filter-org-slugs", help="comma-separated organization slugs")
        if "merge_users" in flags:
            p.add_argument("--merge-users", action="store_true",
                           help="reuse existing users with the same username")
        if "overwrite_configs" in flags:
            p.add_argument("--overwrite-configs", action="store_true",
                           help="let imported options, relays and roles replace existing ones")


def run(args: argparse.Namespace) -> int:
    """Import; 0 when it finished, 1 when it stopped on an error (kept in the findings file)."""
    options = _options(args)
    progress = Progress(enabled=not args.silent)
    try:  # the cheap checks, before anything starts or asks
        check_export(args.src, args.decrypt_with)
    except DecryptionError as exc:
        raise _decryption_failed(args, exc) from exc
    if options.scope is ImportScope.GLOBAL and not args.no_prompt and not _confirm(
            "A global import restores users with their passwords, privileges and 2FA exactly as "
            "exported. Continue?"):
        say("Import cancelled.")
        return FAILED
    if args.report_file is not None and args.report_file != STDOUT:
        check_destination(args.report_file)
    try:
        report = _import(args, options, progress, partial(_write_report, args.report_file))
    except KeyboardInterrupt as stop:
        raise _interrupted(args, options, stop) from None
    except ImportFailure as failure:
        if args.findings_file:
            write_findings(args.findings_file, [Finding.from_failure(failure)])
        _explain(failure, options)
        return FAILED
    except DecryptionError as exc:
        raise _decryption_failed(args, exc) from exc
    imbalances = report.imbalance_findings()
    if args.findings_file:
        write_findings(args.findings_file, [*imbalances, *report.notices()])
    if not args.silent:
        say(report.summary())
    warning = nothing_imported(report)
    if warning:
        say(warning)
    if imbalances:
        say(f"\nImport failed: {report.verdict()} The silos' answers do not say what became "
            "of them; please open an issue with the report and findings files attached.")
        return FAILED
    return 0


def _options(args: argparse.Namespace) -> ImportOptions:
    """The import's options from the command line, refusing what cannot be right."""
    check_source(args.src, args.decrypt_with)
    try:
        import_uuid = uuid.UUID(args.import_uuid).hex if args.import_uuid else uuid.uuid4().hex
    except ValueError as exc:
        raise CliError(f"--import-uuid {args.import_uuid!r} is not a UUID", USAGE) from exc
    org_slugs, usernames = filters(args)
    return ImportOptions(
        scope=ImportScope(args.scope), import_uuid=import_uuid,
        merge_users=getattr(args, "merge_users", False),
        overwrite_configs=getattr(args, "overwrite_configs", False),
        org_slugs=org_slugs, usernames=usernames, batch_size=args.batch_size,
        decrypt_with=args.decrypt_with)


def _import(args: argparse.Namespace, options: ImportOptions, progress: Progress,
            deliver: Callable[[ImportReport], None]) -> ImportReport:
    with silo_clients(args, progress) as (control, region), frozen_gc():
        return Importer(control, region, progress).run(args.src, options, deliver)


def _write_report(dest: Path | None, report: ImportReport) -> None:
    """The report file, whole or not at all, private (it names users); `-`: stdout, which
    then carries nothing else."""
    if dest is None:
        return
    if dest == STDOUT:
        with contextlib.suppress(OSError, ValueError):  # a closed stdout ends no import
            report.write_json(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        return
    with replacing(dest, PRIVATE) as out:
        report.write_json(out)


def _explain(failure: ImportFailure, options: ImportOptions) -> None:
    """Sentry's rendering of the error, what may cause it, and how to resume."""
    say("\n\n" + failure.pretty())
    if failure.kind is ErrorKind.INTEGRITY_ERROR:
        say(INTEGRITY_HINT)
    say(f"\nImport failed: {failure}")
    if failure.model is not None:
        say(f"Batches written before the failure are kept. Fix the cause and rerun with "
            f"--import-uuid {options.import_uuid} to resume where it stopped; the uuid is "
            "bound to this file and these options, so an export changed to fix a record is "
            "refused under it: import the fixed export under a new --import-uuid.")


def _interrupted(args: argparse.Namespace, options: ImportOptions,
                 stop: KeyboardInterrupt) -> CliError:
    """Ctrl-C, SIGTERM or SIGHUP (the spill is already removed): the command that resumes the
    import, as the only finding and as the one line printed."""
    name, code = stopped_by(stop)
    resume = rerun_command(args, import_uuid=str(options.import_uuid))
    reason = f"interrupted by {name}. Batches written before it are kept; to resume, run: {resume}"
    if args.findings_file:
        write_findings(args.findings_file, [Finding.interrupted(name, f"the import was {reason}")])
    return CliError(reason, code)


def _decryption_failed(args: argparse.Namespace, error: DecryptionError) -> CliError:
    """An export that cannot be decrypted: its one sentence, as the only finding and the
    refusal."""
    if args.findings_file:
        write_findings(args.findings_file, [Finding.from_decryption(error)])
    return CliError(str(error), FAILED)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        print(f"{question} [y/N]", file=sys.stderr)
        raise CliError("no terminal to answer on; pass --no-prompt to import without asking",
                       USAGE)
    return input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}

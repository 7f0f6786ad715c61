"""`relocate`: import Sentry exports into silo services, run the services, manage schemas and
encrypted export tarballs."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from commands.heap import frozen_gc, keep_heap_flat
from orchestrator.client import ClientSecurity, SiloClient
from orchestrator.crypto import (
    DecryptionError,
    EncryptionError,
    Form,
    check_export,
    detect_form,
    generate_keypair,
    load_public_key,
    open_export,
    write_encrypted_tarball,
)
from orchestrator.findings import Finding, FindingsWriter, write_findings
from orchestrator.importer import Importer, ImportOptions
from orchestrator.report import ImportReport, Progress
from tools.bench import add_bench_commands, run_bench
from wire.auth import parse_secrets
from wire.errors import ImportFailure
from wire.scopes import ImportScope

INTEGRITY_HINT = (
    ">> Are you restoring from a backup of the same version of Sentry?\n"
    ">> Are you importing into databases that already hold this data? A rerun of the same\n"
    "   import resumes it when given the same --import-uuid.\n"
    ">> If neither explains it, please open an issue with the findings file attached.")

SCOPE_FLAGS = {
    ImportScope.USER: {"usernames", "merge_users"},
    ImportScope.ORGANIZATION: {"org_slugs", "merge_users"},
    ImportScope.CONFIG: {"merge_users", "overwrite_configs"},
    ImportScope.GLOBAL: set(),
}


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def _add_connection_arguments(p: argparse.ArgumentParser) -> None:
    """Where the silos are (or the embedded default's data), and how to authenticate."""
    p.add_argument("--control", default=_env("RELOCATE_CONTROL_ADDR"), metavar="HOST:PORT",
                   help="control silo address (env RELOCATE_CONTROL_ADDR)")
    p.add_argument("--region", default=_env("RELOCATE_REGION_ADDR"), metavar="HOST:PORT",
                   help="region silo address (env RELOCATE_REGION_ADDR)")
    p.add_argument("--data-dir", type=Path, default=Path(_env("RELOCATE_DATA_DIR") or ".relocate"),
                   help="where the embedded default keeps its PostgreSQL "
                        "(env RELOCATE_DATA_DIR; default ./.relocate)")
    p.add_argument("--batch-size", type=int, default=None, help=argparse.SUPPRESS)
    _add_security_arguments(p, server=False)


def _add_security_arguments(p: argparse.ArgumentParser, server: bool) -> None:
    p.add_argument("--shared-secret", default=_env("RELOCATE_SHARED_SECRET"), metavar="SECRETS",
                   help="secret(s) that sign every call between orchestrator and silos, "
                        "comma-separated; the first signs, all are accepted (for rotation) "
                        "(env RELOCATE_SHARED_SECRET)")
    if server:
        p.add_argument("--allow-unauthenticated", action="store_true",
                       help="serve without a shared secret (only on a trusted network)")
        p.add_argument("--tls-cert", default=_env("RELOCATE_TLS_CERT"),
                       help="PEM certificate chain; enables TLS (env RELOCATE_TLS_CERT)")
        p.add_argument("--tls-key", default=_env("RELOCATE_TLS_KEY"),
                       help="PEM private key of --tls-cert (env RELOCATE_TLS_KEY)")
        p.add_argument("--tls-ca", default=_env("RELOCATE_TLS_CA"),
                       help="PEM CA; when given, clients must present a certificate it "
                            "signed (mutual TLS) (env RELOCATE_TLS_CA)")
    else:
        p.add_argument("--tls-ca", default=_env("RELOCATE_TLS_CA"),
                       help="PEM CA that signed the silos' certificates; enables TLS "
                            "(env RELOCATE_TLS_CA)")
        p.add_argument("--tls-cert", default=_env("RELOCATE_TLS_CERT"),
                       help="client certificate for mutual TLS (env RELOCATE_TLS_CERT)")
        p.add_argument("--tls-key", default=_env("RELOCATE_TLS_KEY"),
                       help="private key of --tls-cert (env RELOCATE_TLS_KEY)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relocate",
        description="Import Sentry exports into a control silo and region silos.")
    sub = parser.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="import an export (a JSON array of records)")
    scopes = imp.add_subparsers(dest="scope", required=True)
    for scope in ImportScope:
        p = scopes.add_parser(scope.value, help=f"import in {scope.value} scope")
        p.add_argument("src", type=Path,
                       help="the export: a JSON file, or an encrypted tarball (detected)")
        p.add_argument("--decrypt-with", type=Path, metavar="PRIVATE.pem",
                       help="RSA private key PEM (unencrypted) for an encrypted tarball")
        p.add_argument("--findings-file", type=Path,
                       help="write findings (JSON) here; [] when the import succeeds cleanly")
        p.add_argument("--report-file", type=Path,
                       help="write the import's report (per-model counts, renames) as JSON here")
        p.add_argument("--no-prompt", action="store_true", help="do not ask for confirmation")
        p.add_argument("--silent", action="store_true", help="print no progress or summary")
        p.add_argument("--import-uuid",
                       help="name this import; rerunning with the same uuid resumes it")
        _add_connection_arguments(p)
        flags = SCOPE_FLAGS[scope]
        if "usernames" in flags:
            group = p.add_mutually_exclusive_group()
            group.add_argument("--filter-usernames", help="comma-separated usernames to import")
            group.add_argument("--filter-usernames-file", type=Path,
                               help="file of usernames, separated by commas or whitespace")
        if "org_slugs" in flags:
            p.add_argument("--filter-org-slugs", help="comma-separated organization slugs")
        if "merge_users" in flags:
            p.add_argument("--merge-users", action="store_true",
                           help="reuse existing users with the same username")
        if "overwrite_configs" in flags:
            p.add_argument("--overwrite-configs", action="store_true",
                           help="let imported options, relays and roles replace existing ones")

    exp = sub.add_parser("export", help="export from the silos in Sentry's format")
    exp_scopes = exp.add_subparsers(dest="scope", required=True)
    for scope in ImportScope:
        p = exp_scopes.add_parser(scope.value, help=f"export in {scope.value} scope")
        p.add_argument("dest", type=Path, help="the export file to write")
        _add_connection_arguments(p)
        p.add_argument("--findings-file", type=Path,
                       help="write findings (JSON) here; [] when the export succeeds")
        p.add_argument("--no-prompt", action="store_true", help="accepted for symmetry")
        p.add_argument("--silent", action="store_true", help="print no progress or summary")
        p.add_argument("--encrypt-with", type=Path, metavar="PUBLIC.pem",
                       help="write Sentry's encrypted tarball for this RSA public key")
        if scope in (ImportScope.USER, ImportScope.CONFIG):
            group = p.add_mutually_exclusive_group()
            group.add_argument("--filter-usernames", help="comma-separated usernames to export")
            group.add_argument("--filter-usernames-file", type=Path,
                               help="file of usernames, separated by commas or whitespace")
        if scope is ImportScope.ORGANIZATION:
            p.add_argument("--filter-org-slugs", help="comma-separated organization slugs")

    cmp = sub.add_parser("compare", help="compare two exports (exit 1 when they differ)")
    cmp.add_argument("left", type=Path, help="an export (e.g. the one that was imported)")
    cmp.add_argument("right", type=Path, help="an export (e.g. written by `relocate export`)")
    cmp.add_argument("--findings-file", type=Path,
                     help="write the differences (JSON findings) here; [] when equal")
    cmp.add_argument("--scope", choices=[s.value for s in ImportScope],
                     default=ImportScope.GLOBAL.value,
                     help="the scope RIGHT was imported in: accept what such an import "
                          "legitimately changes (default global)")

    serve = sub.add_parser("serve", help="run a silo service")
    silos = serve.add_subparsers(dest="silo", required=True)
    for silo in ("control", "region"):
        p = silos.add_parser(silo, help=f"run the {silo} silo")
        p.add_argument("--db-url", default=_env(f"RELOCATE_{silo.upper()}_DB_URL"),
                       required=_env(f"RELOCATE_{silo.upper()}_DB_URL") is None,
                       help=f"postgresql://user@host:port/db (env RELOCATE_{silo.upper()}_DB_URL)")
        p.add_argument("--listen", default=_env("RELOCATE_LISTEN") or "0.0.0.0:50051",
                       help="HOST:PORT to listen on (env RELOCATE_LISTEN)")
        _add_security_arguments(p, server=True)
        if silo == "region":
            p.add_argument("--name", default=_env("RELOCATE_REGION_NAME") or "default",
                           help="the region's name (env RELOCATE_REGION_NAME)")

    health = sub.add_parser("health", help="exit 0 when the silo at HOST:PORT is serving")
    health.add_argument("address", metavar="HOST:PORT")

    backup = sub.add_parser("backup", help="encrypt, decrypt and make keys for Sentry's "
                                           "encrypted export tarballs")
    bsub = backup.add_subparsers(dest="backup_command", required=True)
    enc = bsub.add_parser("encrypt", help="encrypt a plain export into Sentry's tarball format")
    enc.add_argument("--src", type=Path, required=True, help="the plain JSON export")
    enc.add_argument("--encrypt-with", type=Path, required=True, metavar="PUBLIC.pem",
                     help="RSA public key PEM to encrypt for")
    enc.add_argument("dest", type=Path, help="the tarball to write")
    dec = bsub.add_parser("decrypt", help="decrypt Sentry's tarball into the plain export")
    dec.add_argument("--src", type=Path, required=True, help="the encrypted tarball")
    dec.add_argument("--decrypt-with", type=Path, required=True, metavar="PRIVATE.pem",
                     help="RSA private key PEM (unencrypted)")
    dec.add_argument("dest", type=Path, help="the JSON file to write")
    keygen = bsub.add_parser("keygen", help="write a new RSA key pair (PEM) for encrypting")
    keygen.add_argument("private", type=Path, metavar="PRIVATE.pem",
                        help="private key to write (PKCS#8, unencrypted, mode 0600)")
    keygen.add_argument("public", type=Path, metavar="PUBLIC.pem",
                        help="public key to write (SubjectPublicKeyInfo)")
    keygen.add_argument("--bits", type=_key_bits, default=4096,
                        help="RSA modulus size (default 4096; at least 2048)")

    db = sub.add_parser("db", help="manage a silo's database schema")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="bring a silo's schema up to date")
    up.add_argument("--silo", choices=["control", "region"], required=True)
    up.add_argument("--db-url", required=True, help="postgresql://user@host:port/db")

    add_bench_commands(sub)
    return parser


def _key_bits(text: str) -> int:
    try:
        bits = int(text)
    except ValueError:
        bits = 0
    if bits < 2048 or bits > 16384 or bits % 8:
        raise argparse.ArgumentTypeError("give a multiple of 8 from 2048 to 16384")
    return bits


def main(argv: list[str] | None = None) -> int:
    keep_heap_flat()  # before any thread starts, so every arena is made under the limit
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=os.environ.get("RELOCATE_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "import":
        return run_import(args)
    if args.command == "export":
        return run_export(args)
    if args.command == "compare":
        return run_compare(args)
    if args.command == "serve":
        return run_serve(args)
    if args.command == "health":
        return run_health(args)
    if args.command == "backup":
        return run_backup(args)
    if args.command == "bench":
        return run_bench(args)
    return run_db(args)


def run_health(args: argparse.Namespace) -> int:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(args.address) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=5)
        except grpc.RpcError as error:
            print(f"relocate: {args.address}: {error.code().name}", file=sys.stderr)
            return 1
    serving = answer.status == health_pb2.HealthCheckResponse.SERVING
    print(health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status))
    return 0 if serving else 1


def run_db(args: argparse.Namespace) -> int:
    from silo_engine.database import upgrade

    app = _silo_app(args.silo)
    upgrade(app.MIGRATIONS, args.db_url)
    print(f"{args.silo} schema is up to date")
    return 0


def _silo_app(silo: str):
    if silo == "control":
        from control_service import app
    else:
        from region_service import app
    return app


def run_serve(args: argparse.Namespace) -> int:
    from silo_engine.database import SchemaNotReady
    from silo_engine.server import Security, wait_for_signal

    logging.getLogger("relocation").setLevel(logging.INFO)
    app = _silo_app(args.silo)
    secrets = tuple(parse_secrets(args.shared_secret))
    if not secrets and not args.allow_unauthenticated:
        print("relocate: a silo needs --shared-secret (or RELOCATE_SHARED_SECRET) so that only "
              "the orchestrator can call it; pass --allow-unauthenticated to serve without one "
              "on a trusted network", file=sys.stderr)
        return 2
    if bool(args.tls_cert) != bool(args.tls_key):
        print("relocate: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    security = Security(secrets=secrets, tls_cert=_read(args.tls_cert),
                        tls_key=_read(args.tls_key), tls_ca=_read(args.tls_ca))
    try:
        if args.silo == "region":
            running = app.start(args.db_url, args.listen, region_name=args.name,
                                security=security)
        else:
            running = app.start(args.db_url, args.listen, security=security)
    except SchemaNotReady as exc:
        print(f"relocate: {exc}", file=sys.stderr)
        return 1
    print(f"{args.silo} silo serving on port {running.port}", file=sys.stderr, flush=True)
    with frozen_gc():
        wait_for_signal(running)
    return 0


def _filters(args: argparse.Namespace) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """(organization slugs, usernames) from the filter options; None means no filter."""
    usernames = None
    if getattr(args, "filter_usernames", None):
        usernames = frozenset(args.filter_usernames.split(","))
    elif getattr(args, "filter_usernames_file", None):
        text = args.filter_usernames_file.read_text()
        usernames = frozenset(n for n in text.replace(",", " ").split() if n)
    org_slugs = None
    if getattr(args, "filter_org_slugs", None):
        org_slugs = frozenset(args.filter_org_slugs.split(","))
    return org_slugs, usernames


def _options(args: argparse.Namespace, scope: ImportScope) -> ImportOptions:
    org_slugs, usernames = _filters(args)
    return ImportOptions(
        scope=scope, import_uuid=args.import_uuid,
        merge_users=getattr(args, "merge_users", False),
        overwrite_configs=getattr(args, "overwrite_configs", False),
        org_slugs=org_slugs, usernames=usernames, batch_size=args.batch_size,
        decrypt_with=args.decrypt_with)


@contextlib.contextmanager
def _silos(args: argparse.Namespace,
           progress: Progress) -> Iterator[tuple[str, str, ClientSecurity]]:
    if args.control or args.region:
        if not (args.control and args.region):
            raise SystemExit("relocate: give both --control and --region (or neither, to use "
                             "the embedded default)")
        yield args.control, args.region, _client_security(args)
        return
    from commands.embedded import embedded_stack

    progress.echo(f"No silo addresses given: using the embedded default in {args.data_dir}/")
    with embedded_stack(args.data_dir) as stack:
        yield stack.control_address, stack.region_address, ClientSecurity(secret=stack.secret)


def _read(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path else None


def _client_security(args: argparse.Namespace) -> ClientSecurity:
    secrets = parse_secrets(getattr(args, "shared_secret", None))
    return ClientSecurity(secret=secrets[0] if secrets else None,
                          tls_ca=_read(getattr(args, "tls_ca", None)),
                          tls_cert=_read(getattr(args, "tls_cert", None)),
                          tls_key=_read(getattr(args, "tls_key", None)))


def run_import(args: argparse.Namespace) -> int:
    scope = ImportScope(args.scope)
    if not args.src.is_file():
        print(f"relocate: {args.src}: no such file", file=sys.stderr)
        return 2
    try:
        args.import_uuid = uuid.UUID(args.import_uuid).hex if args.import_uuid else \
            uuid.uuid4().hex
    except ValueError:
        print(f"relocate: --import-uuid {args.import_uuid!r} is not a UUID", file=sys.stderr)
        return 2
    options = _options(args, scope)
    progress = Progress(enabled=not args.silent)
    try:  # the cheap checks, before anything starts or asks
        check_export(args.src, args.decrypt_with)
    except DecryptionError as exc:
        return _decryption_failed(args, exc)
    if scope is ImportScope.GLOBAL and not args.no_prompt and not _confirm(
            "A global import restores users with their passwords, privileges and 2FA exactly as "
            "exported. Continue?"):
        print("Import cancelled.", file=sys.stderr)
        return 1
    failure: ImportFailure | None = None
    report: ImportReport | None = None
    try:
        with _silos(args, progress) as (control_addr, region_addr, security):
            control = SiloClient(control_addr, "control", security)
            region = SiloClient(region_addr, "region", security)
            try:
                with frozen_gc():
                    report = Importer(control, region, progress).run(args.src, options)
            finally:
                control.close()
                region.close()
    except ImportFailure as exc:
        failure = exc
    except DecryptionError as exc:
        return _decryption_failed(args, exc)
    if args.findings_file:
        write_findings(args.findings_file, [Finding.from_failure(failure)] if failure is not None
                       else report.notices() if report is not None else [])
    if failure is not None:
        print("\n\n" + failure.pretty(), file=sys.stderr)
        if failure.kind.value == "IntegrityError":
            print(INTEGRITY_HINT, file=sys.stderr)
        print(f"\nImport failed: {failure}", file=sys.stderr)
        if failure.model is not None:
            print(f"Batches written before the failure are kept. Fix the cause and rerun with "
                  f"--import-uuid {args.import_uuid} to resume where it stopped.",
                  file=sys.stderr)
        return 1
    assert report is not None
    if args.report_file:
        args.report_file.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    if not args.silent:
        print(report.summary(), file=sys.stderr)
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Export in Sentry's format; with --encrypt-with, as Sentry's encrypted tarball.

    The file is written beside DEST and renamed into place, readable only by its owner (it
    holds password hashes and secrets); an encrypted export's plaintext never reaches DEST.
    """
    from orchestrator.exporter import Exporter, ExportOptions

    public_pem = None
    if args.encrypt_with is not None:
        try:
            public_pem = args.encrypt_with.read_bytes()
            load_public_key(public_pem, str(args.encrypt_with))
        except OSError as exc:
            print(f"relocate: Cannot read the public key {args.encrypt_with} ({exc.strerror}); "
                  "check the path and its permissions.", file=sys.stderr)
            return 1
        except EncryptionError as exc:
            print(f"relocate: {exc}", file=sys.stderr)
            return 1
    scope = ImportScope(args.scope)
    org_slugs, usernames = _filters(args)
    options = ExportOptions(scope=scope, org_slugs=org_slugs, usernames=usernames)
    progress = Progress(enabled=False)
    failure: ImportFailure | None = None
    try:
        with _silos(args, progress) as (control_addr, region_addr, security):
            control = SiloClient(control_addr, "control", security)
            region = SiloClient(region_addr, "region", security)
            try:
                if public_pem is None:
                    with _replacing(args.dest, 0o600) as out:
                        report = Exporter(control, region, progress).run(out, options)
                else:
                    with tempfile.TemporaryFile(dir=args.dest.parent) as plain:
                        report = Exporter(control, region, progress).run(plain, options)
                        size = plain.tell()
                        plain.seek(0)
                        with _replacing(args.dest, 0o600) as out:
                            write_encrypted_tarball(plain, size, public_pem, out)
            finally:
                control.close()
                region.close()
    except ImportFailure as exc:
        failure = exc
    if args.findings_file:
        write_findings(args.findings_file,
                       [Finding.from_failure(failure)] if failure is not None else [])
    if failure is not None:
        print(f"relocate: export failed: {failure}", file=sys.stderr)
        return 1
    if not args.silent:
        print(report.summary(), file=sys.stderr)
    return 0


def run_compare(args: argparse.Namespace) -> int:
    """Print each difference and `found N difference(s)`; exit 0 when equal, 1 otherwise."""
    from tools.compare import Comparer

    for path in (args.left, args.right):
        if not path.is_file():
            print(f"relocate: {path}: no such file", file=sys.stderr)
            return 2
    comparer = Comparer(ImportScope(args.scope))
    with contextlib.ExitStack() as stack:
        writer = None
        if args.findings_file:
            writer = FindingsWriter(stack.enter_context(args.findings_file.open("w")))

        def emit(finding: Finding) -> None:
            print(finding.line())
            if writer is not None:
                writer.add(finding)

        try:
            summary = comparer.run(args.left, args.right, emit)
        except ImportFailure as exc:
            if args.findings_file:
                stack.close()
                write_findings(args.findings_file, [Finding.from_failure(exc)])
            print(f"relocate: compare failed: {exc.reason}", file=sys.stderr)
            return 1
        if writer is not None:
            writer.close()
    print("\n".join(summary.lines(comparer.scope)))
    return 1 if summary.differences else 0


def _decryption_failed(args: argparse.Namespace, error: DecryptionError) -> int:
    """An export that cannot be decrypted: its one sentence, printed and as the only finding."""
    if args.findings_file:
        write_findings(args.findings_file, [Finding.from_decryption(error)])
    print(f"relocate: {error}", file=sys.stderr)
    return 1


# --- backup: Sentry's encrypted tarballs ------------------------------------------------------


def run_backup(args: argparse.Namespace) -> int:
    if args.backup_command == "keygen":
        return run_backup_keygen(args)
    if not args.src.is_file():
        print(f"relocate: {args.src}: no such file", file=sys.stderr)
        return 2
    if args.backup_command == "encrypt":
        return run_backup_encrypt(args)
    return run_backup_decrypt(args)


@contextlib.contextmanager
def _replacing(dest: Path, mode: int) -> Iterator[BinaryIO]:
    """Write beside `dest` and rename into place, so a failure never leaves half a file."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def run_backup_encrypt(args: argparse.Namespace) -> int:
    """Sentry's `backup encrypt`, streamed: the bytes of SRC are encrypted exactly as they are."""
    form = detect_form(args.src)
    if form is not Form.JSON:
        what = "already an encrypted tarball" if form is Form.TARBALL else \
            "not a JSON export (it does not start with '[')"
        print(f"relocate: {args.src} is {what}; pass the plain JSON export written by "
              "`sentry export`.", file=sys.stderr)
        return 1
    try:
        public_pem = args.encrypt_with.read_bytes()
    except OSError as exc:
        print(f"relocate: Cannot read the public key {args.encrypt_with} ({exc.strerror}); "
              "check the path and its permissions.", file=sys.stderr)
        return 1
    try:
        load_public_key(public_pem, str(args.encrypt_with))
        with args.src.open("rb") as src, _replacing(args.dest, 0o666 & ~_umask()) as out:
            write_encrypted_tarball(src, os.fstat(src.fileno()).st_size, public_pem, out)
    except EncryptionError as exc:
        print(f"relocate: {exc}", file=sys.stderr)
        return 1
    return 0


def run_backup_decrypt(args: argparse.Namespace) -> int:
    """Sentry's `backup decrypt`, streamed; the plaintext (password hashes, secrets) is 0600."""
    try:
        with open_export(args.src, args.decrypt_with) as plain, \
                _replacing(args.dest, 0o600) as out:
            shutil.copyfileobj(plain, out, 1 << 20)
    except DecryptionError as exc:
        print(f"relocate: {exc}", file=sys.stderr)
        return 1
    return 0


def run_backup_keygen(args: argparse.Namespace) -> int:
    """A key pair for `--encrypt-with` / `--decrypt-with`; existing files are never replaced."""
    for path in (args.private, args.public):
        if path.exists() or path.is_symlink():
            print(f"relocate: {path} exists; choose another name or remove it first.",
                  file=sys.stderr)
            return 1
    if args.private.resolve() == args.public.resolve():
        print("relocate: give two different files for the private and the public key.",
              file=sys.stderr)
        return 2
    private_pem, public_pem = generate_keypair(args.bits)
    written: list[Path] = []
    try:
        for path, pem, mode in ((args.private, private_pem, 0o600),
                                (args.public, public_pem, 0o666 & ~_umask())):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            written.append(path)
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        print(f"relocate: cannot write {exc.filename} ({exc.strerror}); nothing was written.",
              file=sys.stderr)
        return 1
    print(f"Wrote a {args.bits}-bit RSA private key to {args.private} and its public key to "
          f"{args.public}.", file=sys.stderr)
    return 0


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        print(f"{question} [y/N]\nrelocate: no terminal to answer on; pass --no-prompt to "
              "import without asking", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}


if __name__ == "__main__":
    sys.exit(main())

"""`relocate serve control|region`: run one silo service until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import logging
import sys

from commands.arguments import (
    EnvDefault,
    Subparsers,
    add_security_arguments,
    positive_int,
    read_given,
    shared_secrets,
)
from commands.errors import FAILED, USAGE, CliError
from commands.heap import frozen_gc
from commands.silo_apps import SILOS, silo_app
from wire import DEFAULT_MAX_CONCURRENT_CALLS

# Each silo has its own default port, so that the two started on one machine with their
# defaults do not meet on one port.
DEFAULT_PORTS = {"control": 50051, "region": 50052}


def add_parser(sub: Subparsers) -> None:
    serve = sub.add_parser("serve", help="run a silo service")
    silos = serve.add_subparsers(dest="silo", required=True)
    for silo in SILOS:
        p = silos.add_parser(silo, help=f"run the {silo} silo")
        p.set_defaults(run=run)
        p.add_argument("--db-url", action=EnvDefault, env=f"RELOCATE_{silo.upper()}_DB_URL",
                       required=True, help="postgresql://user@host:port/db")
        p.add_argument("--listen", action=EnvDefault, env="RELOCATE_LISTEN",
                       default=f"0.0.0.0:{DEFAULT_PORTS[silo]}", help="HOST:PORT to listen on")
        p.add_argument("--metrics-listen", action=EnvDefault, env="RELOCATE_METRICS_LISTEN",
                       metavar="HOST:PORT",
                       help="serve Prometheus metrics at http://HOST:PORT/metrics; off when not "
                            "given")
        p.add_argument("--max-concurrent-calls", type=positive_int, action=EnvDefault,
                       env="RELOCATE_MAX_CONCURRENT_CALLS",
                       default=DEFAULT_MAX_CONCURRENT_CALLS, metavar="N",
                       help="calls served at once; more are refused with RESOURCE_EXHAUSTED "
                            "(the orchestrator retries them) instead of queued in memory")
        add_security_arguments(p, server=True)
        if silo == "region":
            p.add_argument("--name", action=EnvDefault, env="RELOCATE_REGION_NAME",
                           default="default", help="the region's name")


def run(args: argparse.Namespace) -> int:
    from silo_engine.database import SchemaNotReady, sqlalchemy_url
    from silo_engine.server import PortUnavailable, Security, parse_listen, wait_for_signal

    logging.getLogger("relocation").setLevel(logging.INFO)
    secrets = tuple(shared_secrets(args))
    if not secrets and not args.allow_unauthenticated:
        raise CliError("a silo needs --shared-secret (or RELOCATE_SHARED_SECRET) so that only "
                       "the orchestrator can call it; pass --allow-unauthenticated to serve "
                       "without one on a trusted network", USAGE)
    try:
        sqlalchemy_url(args.db_url)
    except ValueError as exc:
        raise CliError(str(exc), USAGE) from exc
    if bool(args.tls_cert) != bool(args.tls_key):
        raise CliError("--tls-cert and --tls-key go together", USAGE)
    if args.metrics_listen is not None:
        try:
            parse_listen(args.metrics_listen)
        except ValueError as exc:
            raise CliError(f"--metrics-listen: {exc}", USAGE) from exc
    security = Security(secrets=secrets, tls_cert=read_given(args.tls_cert),
                        tls_key=read_given(args.tls_key), tls_ca=read_given(args.tls_ca))
    named = {"region_name": args.name} if args.silo == "region" else {}
    try:
        running = silo_app(args.silo).start(args.db_url, args.listen, security=security,
                                            metrics_listen=args.metrics_listen,
                                            max_concurrent_calls=args.max_concurrent_calls,
                                            **named)
    except (SchemaNotReady, PortUnavailable) as exc:
        raise CliError(str(exc), FAILED) from exc
    metrics = "" if running.metrics_port is None else f", metrics on port {running.metrics_port}"
    print(f"{args.silo} silo serving on port {running.port}{metrics}", file=sys.stderr,
          flush=True)
    with frozen_gc():
        wait_for_signal(running)
    return 0

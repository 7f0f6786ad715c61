"""`relocate health HOST:PORT`: exit 0 when the silo there is serving (a container's health
check, and how scripts wait for a silo to come up)."""

from __future__ import annotations

import argparse

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from commands.arguments import Subparsers, add_tls_arguments, client_tls
from commands.errors import FAILED, CliError


def add_parser(sub: Subparsers) -> None:
    health = sub.add_parser("health", help="exit 0 when the silo at HOST:PORT is serving")
    health.set_defaults(run=run)
    health.add_argument("address", metavar="HOST:PORT")
    add_tls_arguments(health, server=False)  # a silo with TLS on answers only over TLS


def run(args: argparse.Namespace) -> int:
    with _channel(args) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=5)
        except grpc.RpcError as error:
            raise CliError(f"{args.address}: {error.code().name}", FAILED) from error
    print(health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status))
    return 0 if answer.status == health_pb2.HealthCheckResponse.SERVING else FAILED


def _channel(args: argparse.Namespace) -> grpc.Channel:
    """Plain, or TLS when a CA or client certificate is given (as the orchestrator's is)."""
    tls = client_tls(args)
    if not (tls["tls_ca"] or tls["tls_cert"]):
        return grpc.insecure_channel(args.address)
    credentials = grpc.ssl_channel_credentials(root_certificates=tls["tls_ca"],
                                               private_key=tls["tls_key"],
                                               certificate_chain=tls["tls_cert"])
    return grpc.secure_channel(args.address, credentials)

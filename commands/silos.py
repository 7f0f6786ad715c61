"""The two silo clients an import or export talks to: at the addresses given, or the embedded
default started for the command."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from commands.arguments import client_security
from commands.errors import USAGE, CliError, on_interrupt
from orchestrator.client import ClientSecurity, SiloClient
from orchestrator.report import Progress


@contextlib.contextmanager
def silo_clients(args: argparse.Namespace,
                 progress: Progress) -> Iterator[tuple[SiloClient, SiloClient]]:
    """(control, region), closed on exit; with no addresses, the embedded default's."""
    with contextlib.ExitStack() as stack:
        control_address, region_address, security = stack.enter_context(
            _addresses(args, progress))
        control, region = (stack.enter_context(contextlib.closing(
            SiloClient(address, label, security, retry_deadline=args.retry_deadline)))
            for address, label in ((control_address, "control"), (region_address, "region")))
        for client in (control, region):  # a silo that is down must not hold up Ctrl-C
            stack.enter_context(on_interrupt(client.stop_retrying))
        yield control, region


@contextlib.contextmanager
def _addresses(args: argparse.Namespace,
               progress: Progress) -> Iterator[tuple[str, str, ClientSecurity]]:
    if args.control or args.region:
        if not (args.control and args.region):
            raise CliError("give both --control and --region (or neither, to use the embedded "
                           "default)", USAGE)
        yield args.control, args.region, client_security(args)
        return
    from commands.embedded import embedded_stack  # starts PostgreSQL: only when it is used

    progress.echo(f"No silo addresses given: using the embedded default in {args.data_dir}/")
    with embedded_stack(args.data_dir) as stack:
        yield stack.control_address, stack.region_address, ClientSecurity(secret=stack.secret)

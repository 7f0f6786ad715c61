"""The one way a command refuses: `CliError`, printed by `commands.main` as one line."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Iterator

FAILED = 1  # the command ran and did not succeed (an import error, a difference found)
USAGE = 2  # the command line asks for something that cannot be done as asked
INTERRUPTED = 130  # stopped by Ctrl-C (SIGINT), as a shell reports it: 128 + 2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # all handled as Ctrl-C is


class CliError(Exception):
    """What a command refuses or fails on: one sentence for the user and the exit code.

    Raised anywhere below a verb's function; only `commands.main` prints it (as
    `relocate: MESSAGE`) and exits, so no verb prints its own refusals or picks its own code.
    """

    def __init__(self, message: str, exit_code: int = FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (`timeout`, `docker stop`, a closed terminal), raised where Ctrl-C
    raises KeyboardInterrupt: every cleanup that runs on Ctrl-C (spill, findings, the resume
    line) runs on them too, with no code path of its own to forget."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stopped_by(interrupt: KeyboardInterrupt) -> tuple[str, int]:
    """(signal name, exit code as a shell reports it: 128 + the signal) of an interruption."""
    signum = getattr(interrupt, "signum", signal.SIGINT)
    return signal.Signals(signum).name, 128 + signum


def say(text: str) -> None:
    """A line for the user on stderr, dropped when no one reads stderr any more (a closed
    pipe): what a command prints about its work must never change how the work ends."""
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


_ON_INTERRUPT: list[Callable[[], None]] = []


@contextlib.contextmanager
def on_interrupt(action: Callable[[], None]) -> Iterator[None]:
    """While in the block, run `action` when a signal interrupts the command, before the
    interruption is raised in the main thread: for work in other threads that would otherwise
    hold up the exit (a call retried until its deadline)."""
    _ON_INTERRUPT.append(action)
    try:
        yield
    finally:
        _ON_INTERRUPT.remove(action)


def interrupt(signum: int) -> None:
    """Run the `on_interrupt` actions and raise the interruption: KeyboardInterrupt for Ctrl-C,
    as Python does, `Stopped` for SIGTERM and SIGHUP."""
    for action in list(_ON_INTERRUPT):
        action()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)

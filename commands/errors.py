"""The one way a command refuses: `CliError`, printed by `commands.main` as one line."""

from __future__ import annotations

FAILED = 1  # the command ran and did not succeed (an import error, a difference found)
USAGE = 2  # the command line asks for something that cannot be done as asked
INTERRUPTED = 130  # stopped by Ctrl-C (SIGINT), as a shell reports it: 128 + 2


class CliError(Exception):
    """What a command refuses or fails on: one sentence for the user and the exit code.

    Raised anywhere below a verb's function; only `commands.main` prints it (as
    `relocate: MESSAGE`) and exits, so no verb prints its own refusals or picks its own code.
    """

    def __init__(self, message: str, exit_code: int = FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

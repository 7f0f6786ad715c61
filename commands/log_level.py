"""`RELOCATE_LOG_LEVEL`: the one place the log level is read, in any case (`info` as `INFO`)."""

from __future__ import annotations

import logging
import os

from commands.errors import USAGE, CliError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging() -> None:
    """Set up logging at RELOCATE_LOG_LEVEL (default WARNING); a level logging does not know
    is a usage error naming the ones it does, not a traceback from every command."""
    given = os.environ.get("RELOCATE_LOG_LEVEL", "").strip() or "WARNING"
    level = given.upper()
    if level not in LEVELS:
        raise CliError(f"RELOCATE_LOG_LEVEL={given!r} is not a log level; use one of "
                       f"{', '.join(LEVELS)} (in any case)", USAGE)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")

"""How every command logs: the one place RELOCATE_LOG_LEVEL and --log-format are read.

`plain` (the default) writes `TIME LEVEL LOGGER MESSAGE`, then the record's structured fields
(a batch's import uuid, silo, model and ordinals: wire.batchlog) as `key=value`. `json` writes
one object per line for log pipelines: time (ISO 8601, UTC), level, logger, message and the
same fields as keys; the lines a command writes for its user on stderr (progress, summary,
errors) go out as records of the `relocate` logger, so that every line of stderr parses.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from commands.errors import USAGE, CliError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("plain", "json")
PLAIN = "%(asctime)s %(levelname)s %(name)s %(message)s"
USER_LOGGER = "relocate"  # the lines for the user, as records in the json format
# What every record has; anything else on a record came with `extra=`: a structured field.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields a record was logged with (`extra=`), those with a value."""
    return {key: value for key, value in vars(record).items()
            if key not in _RECORD_ATTRIBUTES and value is not None}


class LineFormatter(logging.Formatter):
    """One line per record, plain or JSON, with the record's structured fields."""

    def __init__(self, log_format: str) -> None:
        super().__init__(PLAIN)
        self.json = log_format == "json"

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        given = fields(record)
        return " ".join([line, *(f"{key}={value}" for key, value in given.items())])

    def format(self, record: logging.LogRecord) -> str:
        if not self.json:
            return super().format(record)
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(
                     timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage(), **fields(record)}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def log_level() -> str:
    """RELOCATE_LOG_LEVEL (default WARNING), in any case; a level logging does not know is a
    usage error naming the ones it does, not a traceback from every command."""
    given = os.environ.get("RELOCATE_LOG_LEVEL", "").strip() or "WARNING"
    level = given.upper()
    if level not in LEVELS:
        raise CliError(f"RELOCATE_LOG_LEVEL={given!r} is not a log level; use one of "
                       f"{', '.join(LEVELS)} (in any case)", USAGE)
    return level


@contextlib.contextmanager
def configured_logging(log_format: str) -> Iterator[None]:
    """Log at RELOCATE_LOG_LEVEL in `log_format` while the command runs. The json format is
    undone on exit (stderr, the root logger's handler and level), for commands run in-process."""
    level = log_level()
    if log_format not in FORMATS:  # a value from RELOCATE_LOG_FORMAT: argparse saw no choice
        raise CliError(f"RELOCATE_LOG_FORMAT={log_format!r} is not a log format; use one of "
                       f"{', '.join(FORMATS)}", USAGE)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LineFormatter(log_format))
    if log_format == "plain":
        logging.basicConfig(level=level, handlers=[handler])
        yield
        return
    root, user = logging.getLogger(), logging.getLogger(USER_LOGGER)
    root_level, stderr = root.level, sys.stderr
    root.addHandler(handler)
    root.setLevel(level)
    user.setLevel(logging.INFO)  # what the user is told is shown at any RELOCATE_LOG_LEVEL
    sys.stderr = _LinesAsRecords(user)
    try:
        yield
    finally:
        sys.stderr = stderr
        user.setLevel(logging.NOTSET)
        root.setLevel(root_level)
        root.removeHandler(handler)


class _LinesAsRecords(io.TextIOBase):
    """stderr in the json format: each line written to it (what `print` writes in one call,
    progress, the summary, an error, a traceback) becomes one record of `logger`."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__()
        self.logger = logger
        self.pending: list[str] = []
        self.lock = threading.Lock()
        self.writing = threading.local()  # a failing handler reports on stderr: not again

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self.lock:
            self.pending.append(text)
            if not text.endswith("\n"):
                return len(text)
            message = "".join(self.pending).strip("\n")
            self.pending.clear()
        if message.strip() and not getattr(self.writing, "now", False):
            self.writing.now = True
            try:
                self.logger.info(message)
            finally:
                self.writing.now = False
        return len(text)

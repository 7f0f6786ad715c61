"""Database URLs, engines and schema versions for one silo's PostgreSQL database."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory


class SchemaNotReady(RuntimeError):
    """The database's schema is not the one this code expects."""


_PASSWORD_IN_URL = re.compile(r"(://[^:/@?#\s]*:)[^/?#\s]*(@)")
_PASSWORD_PARAMETER = re.compile(r"(?i)(\bpassword=)[^&\s]*")


def masked_url(url: str) -> str:
    """`url` with its password (user:PASSWORD@ or ?password=) as `***`, for every message
    and log line that shows a database URL: terminals and logs are read by others."""
    return _PASSWORD_PARAMETER.sub(r"\1***", _PASSWORD_IN_URL.sub(r"\1***\2", url))


def sqlalchemy_url(url: str) -> str:
    """Accept a plain libpq URL (postgresql://user@host:port/db) and pick the psycopg 3 driver."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise ValueError(f"not a PostgreSQL URL: {masked_url(url)!r} "
                     "(expected postgresql://user@host:port/db)")


def make_engine(url: str, pool_size: int = 8) -> sa.Engine:
    return sa.create_engine(sqlalchemy_url(url), pool_size=pool_size, max_overflow=pool_size,
                            pool_pre_ping=True, future=True, json_serializer=json_text)


def json_text(value: object) -> str:
    """How the engine writes JSON values (the chunk ledger's maps, JSON columns): with orjson,
    as the standard library's encoder was a visible share of a batch's time, and integer keys
    as the strings JSON has (the ledger's maps are built keyed by pk)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def alembic_config(migrations: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return config


def upgrade(migrations: Path, url: str, silo: str, revision: str = "head") -> None:
    """Migrate to `revision`; SchemaNotReady, in one sentence, when the database is not there
    or holds a revision this silo's history does not know (most often: the other silo's)."""
    config = alembic_config(migrations, url)
    engine = make_engine(url, pool_size=1)
    try:
        current = current_revision(engine)
    except sa.exc.OperationalError as exc:
        reason = _first_line(exc.orig)
        fix = "create it (createdb)" if "database" in reason and "does not exist" in reason else \
            "check that PostgreSQL is running there"
        raise SchemaNotReady(f"cannot reach the {silo} database at {masked_url(url)}: "
                             f"{reason}; {fix} or correct --db-url") from exc
    finally:
        engine.dispose()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if current is not None and current not in known:
        raise SchemaNotReady(
            f"the database at {masked_url(url)} is at revision {current}, which is not the "
            f"{silo} silo's (is it another silo's database?); give the {silo} silo's own "
            "database with --db-url")
    command.upgrade(config, revision)


def _first_line(error: BaseException | None) -> str:
    """What the driver says went wrong, without the lines it adds after (hints, context)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def head_revision(migrations: Path) -> str:
    script = ScriptDirectory.from_config(alembic_config(migrations, "postgresql://x/y"))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def require_schema(engine: sa.Engine, migrations: Path, silo: str, url_hint: str) -> str:
    """The schema revision, or SchemaNotReady saying which command brings it up to date."""
    head = head_revision(migrations)
    try:
        current = current_revision(engine)
    except sa.exc.OperationalError as exc:
        raise SchemaNotReady(f"cannot reach the {silo} database: {_first_line(exc.orig)}") from exc
    if current != head:
        raise SchemaNotReady(
            f"the {silo} database schema is at {current or 'nothing (empty database)'}, "
            f"this version needs {head}: run `relocate db upgrade --silo {silo} "
            f"--db-url {masked_url(url_hint)}`")
    return head

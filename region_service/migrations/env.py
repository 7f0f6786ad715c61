"""Alembic environment for the region silo's database."""

from region_service.models import metadata
from silo_engine.migrations_env import run

run(metadata)

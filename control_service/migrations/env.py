"""Alembic environment for the control silo's database."""

from control_service.models import metadata
from silo_engine.migrations_env import run

run(metadata)

"""The control silo's schema: every table it owns hangs off this one MetaData."""

import sqlalchemy as sa

from silo_engine.binding import binding_table
from silo_engine.ledger import chunk_table

metadata = sa.MetaData()

# The chunk ledger for control models.
controlimportchunk = chunk_table(metadata, "sentry_controlimportchunk")
# What each import uuid is bound to (silo_engine.binding).
importbinding = binding_table(metadata)

"""The control silo's schema: every table it owns hangs off this one MetaData."""

import sqlalchemy as sa

from silo_engine.ledger import chunk_table

metadata = sa.MetaData()

# The chunk ledger for control models.
controlimportchunk = chunk_table(metadata, "sentry_controlimportchunk")

"""The region silo's schema: every table it owns hangs off this one MetaData."""

import sqlalchemy as sa

from silo_engine.binding import binding_table
from silo_engine.ledger import chunk_table

metadata = sa.MetaData()

# The chunk ledger for region models, and the region's copy of the control ledger.
regionimportchunk = chunk_table(metadata, "sentry_regionimportchunk")
controlimportchunkreplica = chunk_table(metadata, "sentry_controlimportchunkreplica")
# What each import uuid is bound to (silo_engine.binding).
importbinding = binding_table(metadata)

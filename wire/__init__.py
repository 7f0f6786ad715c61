"""The wire contract: code generated from protos/ lives under relocation/ (see
scripts/generate_protos.py); what both ends of a channel must agree on beyond it is here."""

# Largest single record (its JSON as exported) an import accepts: far above any record Sentry
# writes, small enough that one record always fits a message with room for its pk-map entries.
MAX_RECORD_BYTES = 32 * 1024 * 1024
# Largest message either end sends or accepts: one batch (cut so that it fits) with its pk-map
# entries. A silo reads a message before its handler runs, so this also bounds what one call
# can make a silo hold.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
# Calls a silo serves at once unless told otherwise (`relocate serve --max-concurrent-calls`);
# past it gRPC refuses a call with RESOURCE_EXHAUSTED, which the orchestrator retries with
# backoff, instead of queueing it in memory. An import keeps fewer calls than this in flight
# to one silo (its pool: orchestrator.importer.DEFAULT_PARALLEL_MODELS), with room for a second
# import or export and health checks.
DEFAULT_MAX_CONCURRENT_CALLS = 32

"""The wire contract: code generated from protos/ lives under relocation/ (see
scripts/generate_protos.py); what both ends of a channel must agree on beyond it is here."""

# Largest message either end sends or accepts: a batch of big records with its pk-map entries.
MAX_MESSAGE_BYTES = 256 * 1024 * 1024

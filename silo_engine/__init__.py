"""What both silos run: the model framework, the import engine, the chunk ledger, typed errors
and the generated gRPC contract."""

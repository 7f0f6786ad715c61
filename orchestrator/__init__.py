"""The `relocate` orchestrator: streams an export to the control and region silos."""

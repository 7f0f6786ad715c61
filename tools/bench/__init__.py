"""`relocate bench`: a deterministic Sentry-shaped export (`generate`), and the import measured
end to end against COPY (`run`, with its `processes`, `postgres`, `verify` and `report`)."""

from tools.bench.cli import add_bench_commands, run_bench

__all__ = ["add_bench_commands", "run_bench"]

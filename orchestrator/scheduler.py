"""Run named jobs in dependency order, several at once, stopping at the first failure.

A job starts once every job it depends on has finished (dependencies on names that are not
jobs of the run are ignored), in the order the jobs were given, up to `parallel` at a time.
Hooks run as each job finishes; a hook may start work in the background and hand back its
future, whose failure then stops the run as a job's would (its result is its starter's to
collect).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

# Called with the finished job's name; may return a future to watch.
Hook = Callable[[str], "Future | None"]


class Scheduler:
    def __init__(self, parallel: int, thread_name_prefix: str = "relocate-model") -> None:
        self.parallel = max(1, parallel)
        self.thread_name_prefix = thread_name_prefix
        self._hooks: list[tuple[str | None, Hook]] = []

    def on_finished(self, hook: Hook, job: str | None = None) -> None:
        """Call `hook` when `job` finishes, or when any job does (job None)."""
        self._hooks.append((job, hook))

    def run(self, jobs: Mapping[str, Collection[str]], work: Callable[[str], None]) -> None:
        """Run `work(name)` for each of `jobs` (name -> the names it depends on)."""
        pending = list(jobs)
        waiting_on = {name: {d for d in deps if d in jobs} for name, deps in jobs.items()}
        running: dict[Future, str] = {}
        watched: list[Future] = []
        with ThreadPoolExecutor(max_workers=self.parallel,
                                thread_name_prefix=self.thread_name_prefix) as pool:
            try:
                while pending or running:
                    for name in [n for n in pending if not waiting_on[n]][
                            :self.parallel - len(running)]:
                        pending.remove(name)
                        running[pool.submit(work, name)] = name
                    if not running:
                        raise ValueError(f"circular dependencies among {sorted(pending)}")
                    done, _ = wait([*running, *watched], return_when=FIRST_COMPLETED)
                    for future in [f for f in watched if f.done()]:
                        watched.remove(future)
                        future.result()  # a failure in the background stops the run now
                    for future in [f for f in done if f in running]:
                        finished = running.pop(future)
                        future.result()  # the first failure stops the run
                        for deps in waiting_on.values():
                            deps.discard(finished)
                        watched.extend(self._finished(finished))
            except BaseException:
                pending.clear()
                for future in running:
                    future.cancel()
                raise

    def _finished(self, name: str) -> list[Future]:
        started = (hook(name) for job, hook in self._hooks if job in (None, name))
        return [future for future in started if future is not None]

"""The two silos' applications by name, for the verbs that run or migrate one (`serve`, `db`).

Imported lazily: loading a silo's models costs a command that needs none of them (`relocate
health`, which a container runs every few seconds) a noticeable start-up time.
"""

from __future__ import annotations

from types import ModuleType

SILOS = ("control", "region")


def silo_app(silo: str) -> ModuleType:
    """The silo's `app` module: its MIGRATIONS and `start`."""
    if silo == "control":
        from control_service import app as control

        return control
    from region_service import app as region

    return region

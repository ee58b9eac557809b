"""Which lab sandboxes exist and which run, by lab id: the one place that decides the active lab.

Import-light on purpose (no content, no boto3): `tutor aws` and the `aws` shim resolve the lab
here before anything heavy is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from tutor import paths

from .errors import SandboxError


def lab_home(lab_id: str) -> Path:
    return paths.labs_dir() / lab_id


def state_dir_of(lab_id: str) -> Path:
    return lab_home(lab_id) / "sandbox"


def workspace_of(lab_id: str) -> Path:
    return lab_home(lab_id) / "workspace"


def running_labs() -> list[str]:
    """The labs whose sandbox answers now, sorted by id."""
    from .sandbox import STATE_FILE, attach

    found = []
    for state in sorted(paths.labs_dir().glob(f"*/sandbox/{STATE_FILE}")):
        lab_id = state.parent.parent.name
        if attach(state.parent) is not None:
            found.append(lab_id)
    return found


class NoActiveLab(SandboxError):
    """No lab was named and none (or more than one) is running."""


def resolve_lab(explicit: str | None = None, *, known: Iterable[str] | None = None) -> str:
    """The lab a command is about: `explicit`, else $TUTOR_LAB, else the only running lab.

    `known` (the catalog's lab ids, when the caller has them) turns a typo into an error that
    lists the labs. With several running labs and none named, the error lists them.
    """
    chosen = explicit or os.environ.get("TUTOR_LAB") or None
    if chosen:
        if known is not None:
            ids = sorted(known)
            if chosen not in ids:
                raise NoActiveLab(f"there is no lab {chosen!r}. Labs: {', '.join(ids) or 'none installed'}")
        return chosen
    running = running_labs()
    if len(running) == 1:
        return running[0]
    if not running:
        raise NoActiveLab("no lab is running. Start one with `tutor lab start LAB` (`tutor lab list` lists them).")
    raise NoActiveLab(
        f"{len(running)} labs are running: {', '.join(running)}. Name one (e.g. `tutor lab check {running[0]}`) "
        "or set TUTOR_LAB."
    )

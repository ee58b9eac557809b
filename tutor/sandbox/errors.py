"""The one exception type of the sandbox layer."""

from __future__ import annotations


class SandboxError(Exception):
    """Something the learner (or the caller) can act on; the message says what to do.

    Bugs still raise ordinary exceptions with tracebacks.
    """

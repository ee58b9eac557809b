from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tmux import Tmux, tutor_command


@pytest.fixture
def tui(tutor_home):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (.ci/run installs it)")
    sessions: list[Tmux] = []

    def start(*args: str, **env: str) -> Tmux:
        base = {"TUTOR_HOME": str(tutor_home), "TERM": "xterm-256color", "PATH": os.environ["PATH"]}
        session = Tmux(" ".join([tutor_command(), *args]), {**base, **env})
        sessions.append(session)
        return session

    yield start
    for s in sessions:
        s.close()

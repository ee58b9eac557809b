"""Run the real `tutor` in tmux: type keys, read the screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

# The timeouts only catch a hang: on a loaded machine everything is slower, so they are generous by default
# (a passing test never waits for them). TUTOR_TEST_SLOWDOWN scales them further.
SLOWDOWN = float(os.environ.get("TUTOR_TEST_SLOWDOWN", "4"))


class Tmux:
    def __init__(self, command: str, env: dict[str, str], width: int = 120, height: int = 40) -> None:
        self.name = f"tutor-e2e-{uuid.uuid4().hex[:8]}"
        # a tmux server of its own: the developer's sessions, or one closing, cannot disturb the test
        self.socket = Path(tempfile.gettempdir()) / f"{self.name}.sock"
        self.tmux = ["tmux", "-S", str(self.socket)]
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                f"env {exports} {command}",
            ],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        ).stdout

    def press(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def type(self, text: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, "-l", text], check=True)

    def wait_for(self, text: str, timeout: float = 15) -> str:
        timeout *= SLOWDOWN
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear within {timeout}s; the screen shows:\n{self.screen()}")

    def wait_gone(self, text: str, timeout: float = 10) -> None:
        timeout *= SLOWDOWN
        deadline = time.monotonic() + timeout
        while text in self.screen():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} is still on screen after {timeout}s:\n{self.screen()}")
            time.sleep(0.1)

    def wait_exit(self, timeout: float = 30) -> None:
        """Wait for the program to end (its tmux session closes with it)."""
        deadline = time.monotonic() + timeout * SLOWDOWN
        while self.alive():
            if time.monotonic() > deadline:
                raise AssertionError(f"the program is still running after {timeout * SLOWDOWN}s:\n{self.screen()}")
            time.sleep(0.1)

    def alive(self) -> bool:
        return subprocess.run([*self.tmux, "has-session", "-t", self.name], capture_output=True).returncode == 0

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)
        self.socket.unlink(missing_ok=True)


def tutor_command() -> str:
    exe = shutil.which("tutor", path=str(Path(sys.executable).parent))
    return shlex.quote(exe) if exe else f"{shlex.quote(sys.executable)} -m tutor"

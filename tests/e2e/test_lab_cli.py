"""The lab contract from a second shell: show, start, `tutor aws`, check, stop, as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

LAB = "sqs-dead-letter"


@pytest.fixture
def tutor(tutor_home):
    env = {**os.environ, "TUTOR_HOME": str(tutor_home)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tutor", *args],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )

    yield run
    run("lab", "stop", LAB)


def test_a_lab_from_the_command_line(tutor):
    shown = tutor("lab", "show", LAB)
    assert shown.returncode == 0, shown.stderr
    assert "# Quarantine poison messages with a dead-letter queue" in shown.stdout  # the handout, as Markdown
    assert "□ orders-dlq exists and keeps messages for 14 days" in shown.stdout  # what will be checked

    started = tutor("lab", "start", LAB)
    assert started.returncode == 0, started.stderr
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in started.stdout
    assert f"tutor lab show {LAB}" in started.stderr

    before = tutor("lab", "check", LAB, "--json")
    assert before.returncode == 1
    assert json.loads(before.stdout)["passed"] == 0

    made = tutor(
        "aws", "sqs", "create-queue", "--queue-name", "orders-dlq", "--attributes", "MessageRetentionPeriod=1209600"
    )
    assert made.returncode == 0, made.stderr
    after = json.loads(tutor("lab", "check", LAB, "--json").stdout)
    assert [c["id"] for c in after["checks"] if c["passed"]] == ["dlq-retention"]

    assert tutor("lab", "stop", LAB).returncode == 0
    stopped = tutor("lab", "check", LAB)
    assert stopped.returncode == 2 and f"Start it with `tutor lab start {LAB}`" in stopped.stderr


def test_showing_an_unknown_lab_names_the_real_ones(tutor):
    result = tutor("lab", "show", "sqs-dead-leter")
    assert result.returncode == 2
    assert "there is no lab 'sqs-dead-leter'" in result.stderr and LAB in result.stderr
    assert "Traceback" not in result.stderr

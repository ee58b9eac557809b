"""Every lab self-tests, and nothing a lab does may leave the machine.

One sandbox serves every lab (reset between them). The leak guard refuses and records any
non-loopback connection or DNS lookup, in this process and in the sandbox server, while the
parent environment carries real-looking credentials and a profile, as a learner's shell would.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from tutor.content import load_catalog

GUARD_DIR = Path(__file__).parent / "leakguard"
CATALOG = load_catalog()
LAB_IDS = sorted(CATALOG.labs)

pytestmark = pytest.mark.slow


def _load_guard():
    spec = importlib.util.spec_from_file_location("tutor_leakguard", GUARD_DIR / "sitecustomize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def leak_log(tmp_path_factory):
    log = tmp_path_factory.mktemp("leaks") / "leaks.log"
    log.touch()
    patch = pytest.MonkeyPatch()
    patch.setenv("TUTOR_LEAK_LOG", str(log))
    patch.setenv("PYTHONPATH", os.pathsep.join([str(GUARD_DIR), os.environ.get("PYTHONPATH", "")]))
    # what a learner's shell may carry: none of it may be used
    patch.setenv("AWS_PROFILE", "production")
    patch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7REALKEY")
    patch.setenv("AWS_SECRET_ACCESS_KEY", "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")
    patch.setenv("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEREALTOKEN")
    patch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    patch.delenv("HTTPS_PROXY", raising=False)
    patch.delenv("HTTP_PROXY", raising=False)
    # guard this process too (the in-process CLI, boto3 clients and checks run here)
    import socket

    saved = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    _load_guard()
    yield log
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = saved
    patch.undo()


@pytest.fixture(scope="module")
def sandbox(leak_log, tmp_path_factory):
    from tutor.sandbox import start_sandbox

    services = sorted({s for lab in CATALOG.labs.values() for s in lab.services})
    sb = start_sandbox(tmp_path_factory.mktemp("sandbox"), preload=services)
    yield sb
    sb.stop()


def test_the_guard_refuses_and_records_non_loopback_addresses(leak_log):
    guard = _load_guard()
    guard.check_address(("127.0.0.1", 80))  # loopback passes
    with pytest.raises(ConnectionRefusedError):
        guard.check_address(("203.0.113.9", 443))  # checked before any packet is sent
    with pytest.raises(ConnectionRefusedError):
        guard.refuse("lookup s3.amazonaws.com")
    lines = leak_log.read_text().splitlines()
    assert any("203.0.113.9" in line for line in lines)
    leak_log.write_text("")  # the sanity entries are not leaks


def test_there_are_at_least_twenty_labs_including_the_ten_required_ones():
    required = {
        "s3-secure-bucket",
        "iam-least-privilege",
        "sqs-dead-letter",
        "sns-fanout",
        "dynamodb-orders",
        "vpc-three-tier",
        "lambda-users-api",
        "cfn-users-stack",
        "fix-the-breach",
        "cloudwatch-alarm",
    }
    assert required <= set(LAB_IDS)
    assert len(LAB_IDS) >= 20


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_lab_selftest_without_leaks(lab_id, sandbox, leak_log):
    from tutor.grading.session import selftest

    result = selftest(CATALOG, lab_id, sandbox=sandbox)
    assert result.ok, "\n".join(result.problems)
    assert result.untouched.passed == 0
    assert result.solved.passed == result.solved.total
    leaks = leak_log.read_text()
    assert not leaks, f"{lab_id} tried to reach the network:\n{leaks}"


@pytest.mark.parametrize(
    "lab_id", [lab for lab in LAB_IDS if lab in ("sns-fanout", "s3-events-to-sqs", "eventbridge-to-sqs")]
)
def test_grading_probes_do_not_count_as_learner_changes(lab_id, sandbox, tmp_path):
    """`lab watch` re-grades on changes: the grader's own probe messages must not trigger it again."""
    from tutor.grading import grade
    from tutor.grading.session import LabSession, apply_solution, run_setup

    sandbox.reset()
    session = LabSession(CATALOG.labs[lab_id], sandbox, tmp_path, attempt_id=0)
    run_setup(session)
    apply_solution(session)
    before = sandbox.changes()
    report = grade(session.lab, session.check_context())
    assert report.passed == report.total
    assert sandbox.changes() == before

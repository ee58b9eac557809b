"""Fixtures for the lab tests: one sandbox per test module, reset and set up for every test.

A lab test module names its lab in a module-level ``LAB``.
"""

from __future__ import annotations

import pytest

from tutor.content import load_catalog
from tutor.grading.session import LabSession, copy_starter, run_setup


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    from tutor.sandbox import start_sandbox

    sb = start_sandbox(tmp_path_factory.mktemp("sb"))
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def lab(request):
    return load_catalog().labs[request.module.LAB]


@pytest.fixture
def lab_session(sandbox, lab, tmp_path):
    """The lab as a learner finds it: an empty sandbox after setup, and the starter files."""
    sandbox.reset()
    copy_starter(lab, tmp_path)
    session = LabSession(lab, sandbox, tmp_path, attempt_id=0)
    run_setup(session)
    return session

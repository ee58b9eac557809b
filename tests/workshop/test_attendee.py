"""The attendee's side against a real server: join, what the store queues, sync, status, leave."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from conftest import Server, tutor

from tutor.workshop import client


def _server_events(server: Server, attendee_id: str) -> list[dict]:
    with server.client(server.token) as instructor:
        page = instructor.get(f"/api/v1/attendees/{attendee_id}/events", params={"limit": 1000}).json()
    return page["events"]


def _do_one_of_everything() -> None:
    """One of each recorded action, through the real store and engine functions the app uses."""
    from tutor.exam.drills import finish as finish_drill
    from tutor.grading.checks import CheckResult, Report
    from tutor.srs.scheduler import record_answer
    from tutor.store import exams, labs

    attempt = labs.open_lab_attempt("sqs-dead-letter")
    labs.use_hint(attempt, 3)
    labs.count_reset(attempt)
    labs.record_lab_check(
        attempt,
        Report(
            "sqs-dead-letter",
            1,
            2,
            45,
            [
                CheckResult("dlq-exists", "DLQ exists", True, "ok"),
                CheckResult("redrive", "Redrive policy", False, "No redrive policy on orders yet."),
            ],
        ),
    )
    labs.mark_solution_viewed(attempt)
    record_answer("question", "messaging-001", 3, 1500)
    exam = exams.create_attempt("quick", "exam", 42, 600, ["messaging-001", "s3-001"])
    exams.finish_attempt(exam, 1, 550, False, 30.0, [("resilient", 1, 1), ("cost", 0, 1)])
    from tutor.content import load_catalog

    drill = load_catalog().drills["sqs-visibility-timeout-and-dlq"]
    finish_drill(drill, "a dead-letter queue with a redrive policy", ["dlq"], datetime.now(UTC), 42.0)


def test_join_downloads_the_pack_whose_content_joins_the_catalog(server: Server):
    from tutor.content import load_catalog

    assert "pack-001" not in load_catalog().questions
    membership = client.join(server.url, server.code, "Ann Lee")
    assert membership.workshop_id == "pack" and membership.token
    assert (Path(membership.pack_dir) / "workshop.yaml").is_file()
    assert "pack-001" in load_catalog().questions
    entries = client.agenda()
    assert [e.done for e in entries] == [False] * 7
    with pytest.raises(client.WorkshopError, match="already"):
        client.join(server.url, server.code, "Ann Lee")


def test_every_kind_of_event_reaches_the_server_once_in_sequence(server: Server):
    membership = client.join(server.url, server.code, "Ann")
    _do_one_of_everything()
    first = client.sync()
    again = client.sync()
    assert (first.sent, first.waiting, again.sent) == (8, 0, 0)
    events = _server_events(server, membership.attendee_id)
    assert [e["type"] for e in events] == [
        "lab_started",
        "lab_hint",
        "lab_reset",
        "lab_graded",
        "lab_solution_viewed",
        "review_answered",
        "exam_finished",
        "drill_done",
    ]
    assert [e["seq"] for e in events] == list(range(1, 9))
    by_type = {e["type"]: e["data"] for e in events}
    graded = by_type["lab_graded"]
    assert (graded["passed"], graded["total"], graded["score"], graded["hints_used"]) == (1, 2, 45, 1)
    assert graded["checks"][1] == {"id": "redrive", "passed": False, "message": "No redrive policy on orders yet."}
    assert by_type["exam_finished"]["domains"] == [
        {"domain": "resilient", "correct": 1, "total": 1},
        {"domain": "cost", "correct": 0, "total": 1},
    ]
    assert by_type["drill_done"]["drill"] == "sqs-visibility-timeout-and-dlq"
    assert by_type["review_answered"] == {**by_type["review_answered"], "item": "messaging-001", "rating": 3}


def test_nothing_is_queued_without_a_workshop():
    _do_one_of_everything()
    from sqlmodel import select

    from tutor.store.db import session
    from tutor.store.models import WorkshopOutbox

    with session(read_only=True) as s:
        assert s.exec(select(WorkshopOutbox)).all() == []


def test_the_event_and_its_record_commit_together(server: Server, monkeypatch):
    """If queueing the event fails, the grading run is not stored either: one transaction."""
    from sqlmodel import func, select

    from tutor.grading.checks import CheckResult, Report
    from tutor.store import labs, outbox
    from tutor.store.db import session
    from tutor.store.models import LabCheckResult

    client.join(server.url, server.code, "Ann")
    attempt = labs.open_lab_attempt("sqs-dead-letter")

    def broken(*args, **kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "record", broken)
    with pytest.raises(RuntimeError):
        labs.record_lab_check(attempt, Report("sqs-dead-letter", 1, 1, 100, [CheckResult("a", "A", True, "ok")]))
    with session(read_only=True) as s:
        assert s.exec(select(func.count()).select_from(LabCheckResult)).one() == 0
        assert labs.lab_attempt(attempt).status == "active"


def test_offline_events_wait_and_go_once_the_server_is_back(server: Server, tutor_home):
    membership = client.join(server.url, server.code, "Ann")
    server.kill()
    _do_one_of_everything()
    offline = tutor(tutor_home, "workshop", "sync", check=False)
    assert offline.returncode == 1 and "stay queued" in offline.stderr
    status = json.loads(tutor(tutor_home, "workshop", "status", "--json").stdout)
    assert (status["online"], status["waiting"], status["sent"]) == (False, 8, 0)
    assert "unreachable" in status["last_error"]
    server.start()
    done = tutor(tutor_home, "workshop", "sync")
    assert "sent 8 events; 0 waiting" in done.stdout
    status = json.loads(tutor(tutor_home, "workshop", "status", "--json").stdout)
    assert (status["online"], status["waiting"], status["sent"], status["server_events"]) == (True, 0, 8, 8)
    assert status["last_sync"] is not None and status["last_error"] is None
    assert len(_server_events(server, membership.attendee_id)) == 8


def test_a_cli_command_sends_what_it_recorded_on_its_way_out(server: Server, tutor_home):
    membership = client.join(server.url, server.code, "Ann")
    tutor(tutor_home, "lab", "hint", "sqs-dead-letter", "--yes")  # no explicit sync
    assert [e["type"] for e in _server_events(server, membership.attendee_id)] == ["lab_started", "lab_hint"]


def test_leave_refuses_to_drop_unsent_events_unless_forced(server: Server, tutor_home):
    from tutor.content import load_catalog

    membership = client.join(server.url, server.code, "Ann")
    server.kill()
    _do_one_of_everything()
    refused = tutor(tutor_home, "workshop", "leave", check=False)
    assert refused.returncode == 1 and "could not be sent yet" in refused.stderr
    server.start()
    left = tutor(tutor_home, "workshop", "leave")
    assert left.stdout.startswith("left ")
    assert len(_server_events(server, membership.attendee_id)) == 8  # sent on the way out
    with server.client(membership.token) as http:
        assert http.get("/api/v1/me").status_code == 401  # the token is dead
    assert "pack-001" not in load_catalog().questions
    assert tutor(tutor_home, "workshop", "status", check=False).returncode == 1


def test_a_revoked_token_is_reported_not_retried_blindly(server: Server):
    membership = client.join(server.url, server.code, "Ann")
    with server.client(membership.token) as http:
        http.post("/api/v1/leave")
    _do_one_of_everything()
    with pytest.raises(client.SyncError) as caught:
        client.sync()
    assert caught.value.permanent and "join again" in str(caught.value)


def test_a_pack_that_does_not_match_its_hash_is_refused(server: Server, monkeypatch):
    real_get = httpx.Client.get

    def tampered(self, url, *args, **kw):
        response = real_get(self, url, *args, **kw)
        if str(url).endswith("/pack"):
            return httpx.Response(200, content=response.content + b"tampered", request=response.request)
        return response

    monkeypatch.setattr(httpx.Client, "get", tampered)
    with pytest.raises(client.WorkshopError, match="does not match its hash"):
        client.join(server.url, server.code, "Ann")
    assert client.outbox.active_membership() is None


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap():
    highest = [client.backoff(n, rng=lambda lo, hi: hi) for n in range(10)]
    assert highest[:4] == [1, 2, 4, 8] and highest[-1] == client.BACKOFF_CAP
    assert all(client.backoff(n, rng=lambda lo, hi: lo) == 0 for n in range(10))
    assert client.backoff(100) <= client.BACKOFF_CAP

"""The progress store: migrations, SQLite settings, and the queue index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tutor.store import db, progress
from tutor.store.db import current_revision, get_engine, head_revision, make_engine, upgrade


def test_empty_database_upgrades_to_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = get_engine(url)
    assert current_revision(engine) == head_revision()
    tables = set(sa.inspect(engine).get_table_names())
    assert {
        "card",
        "review_log",
        "lab_attempt",
        "lab_check_result",
        "exam_attempt",
        "exam_answer",
        "drill_attempt",
        "section_read",
        "lesson_position",
        "setting",
    } <= tables


def test_upgrade_from_first_revision_keeps_every_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0001")
    assert "exam_attempt" not in sa.inspect(engine).get_table_names()
    stamp = "2026-01-02 03:04:05.000000"
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO card (id, kind, item_id, state, due, lapses, retired, created_at) "
                "VALUES (7, 'question', 's3-001', 2, :t, 1, 0, :t)"
            ),
            {"t": stamp},
        )
        conn.execute(
            sa.text(
                "INSERT INTO review_log (card_id, rating, reviewed_at, state_before, source) "
                "VALUES (7, 3, :t, 1, 'review')"
            ),
            {"t": stamp},
        )
        conn.execute(sa.text("INSERT INTO section_read VALUES ('s3', 'versioning', :t)"), {"t": stamp})
        conn.execute(
            sa.text(
                "INSERT INTO lab_attempt (lab_id, started_at, status, hints_used, resets, solution_viewed, "
                "checks_passed, checks_total, score) VALUES ('s3-secure-bucket', :t, 'passed', 1, 0, 0, 6, 6, 90)"
            ),
            {"t": stamp},
        )
    engine.dispose()

    engine = get_engine(url)  # opening the app's way migrates to head
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT item_id, lapses FROM card WHERE id = 7")).one() == ("s3-001", 1)
        assert conn.execute(sa.text("SELECT count(*) FROM review_log")).scalar() == 1
        assert conn.execute(sa.text("SELECT anchor FROM section_read")).scalar() == "versioning"
        assert conn.execute(sa.text("SELECT score FROM lab_attempt")).scalar() == 90
        assert conn.execute(sa.text("SELECT count(*) FROM exam_attempt")).scalar() == 0
        # 0003: the old review keeps its row; its undo and daily-statistics columns start empty
        assert conn.execute(sa.text("SELECT card_before, study_day, counted FROM review_log")).one() == (
            None,
            None,
            None,
        )
        assert conn.execute(sa.text("SELECT count(*) FROM review_day")).scalar() == 0


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_due_queue_is_an_index_range_scan(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM card WHERE retired = 0 AND due <= ? ORDER BY due LIMIT 50",
            ("2026-01-01",),
        ).all()
    detail = " ".join(row[-1] for row in plan)
    assert "USING INDEX ix_card_queue" in detail
    assert "TEMP B-TREE" not in detail


def test_tutor_db_url_overrides_the_default_location(tmp_path, monkeypatch, tutor_home):
    target = tmp_path / "elsewhere.db"
    monkeypatch.setenv("TUTOR_DB_URL", f"sqlite:///{target}")
    progress.set_setting("daily_new", 15)
    assert target.exists()
    assert not (tutor_home / "tutor.db").exists()
    assert progress.get_setting("daily_new") == 15


def test_settings_round_trip_json_values():
    progress.set_setting("retention", 0.9)
    progress.set_setting("day_starts", {"hour": 4})
    assert progress.get_setting("retention") == 0.9
    assert progress.get_setting("day_starts") == {"hour": 4}
    assert progress.get_setting("missing", "default") == "default"


def test_reading_marks_sections_and_remembers_the_position():
    progress.mark_read("s3", "storage-classes")
    progress.mark_read("s3", "versioning")
    progress.mark_read("iam", "roles")
    assert progress.read_sections() == {"s3": {"storage-classes", "versioning"}, "iam": {"roles"}}
    assert progress.position("s3") == "versioning"
    assert progress.last_position() == ("iam", "roles")


def test_snapshot_counts_the_cards_seen():
    from tutor.store.db import session
    from tutor.store.models import Card

    now = datetime.now(UTC)
    with session() as s:
        s.add(Card(item_id="a", state=2, due=now - timedelta(hours=1), created_at=now))
        s.add(Card(item_id="b", state=2, due=now + timedelta(days=3), created_at=now))
        s.add(Card(item_id="c", state=2, due=now - timedelta(days=1), created_at=now, retired=True))
    snap = progress.snapshot(now)
    assert snap.cards_seen == 2


def test_head_revision_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head()


def test_opening_an_up_to_date_database_does_not_import_alembic(tmp_path):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'current.db'}"
    get_engine(url)  # migrated to head here
    probe = (
        "import sys; from tutor.store.db import get_engine; get_engine(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    out = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_database_behind_head_is_still_migrated(tmp_path):
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    upgrade(make_engine(url), "0002")
    assert current_revision(get_engine(url)) == head_revision()

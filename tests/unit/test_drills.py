"""Drill coverage: what counts as covering a key point, and the rating it earns."""

from __future__ import annotations

from datetime import UTC, datetime

from tutor.content.schema import Drill
from tutor.exam.drills import AGAIN, EASY, GOOD, HARD, detect, finish, rating_for

DRILL = Drill.model_validate(
    {
        "id": "lambda-access-denied",
        "title": "AccessDenied in production",
        "minutes": 4,
        "lesson": "storage#buckets",
        "prompt": "Our Lambda gets AccessDenied reading S3 in prod only. How do you find out why?",
        "key_points": [
            {
                "id": "execution-role",
                "point": "Check the execution role's policies",
                "phrases": ["execution role", "role policy", "lambda role"],
            },
            {
                "id": "bucket-policy",
                "point": "Check the bucket policy for an explicit deny",
                "phrases": ["bucket policy", "explicit deny"],
            },
            {"id": "kms", "point": "Check KMS key permissions for encrypted objects", "phrases": ["kms", "key policy"]},
            {"id": "cloudtrail", "point": "Read the denied call in CloudTrail", "phrases": ["cloudtrail"]},
        ],
        "model_answer": "...",
    }
)


def test_phrases_match_whole_words_ignoring_case_and_punctuation():
    answer = "First I'd open the Execution-Role and its policies; then the BUCKET POLICY."
    assert detect(DRILL, answer) == ["execution-role", "bucket-policy"]


def test_plural_forms_count():
    assert detect(DRILL, "look at the bucket policies for denies") == ["bucket-policy"]


def test_a_phrase_inside_another_word_does_not_count():
    assert detect(DRILL, "the kmsclient wrapper and cloudtrails") == ["cloudtrail"]  # plural yes, kmsclient no


def test_an_empty_answer_covers_nothing():
    assert detect(DRILL, "") == []


def test_ratings_follow_the_confirmed_share():
    assert [rating_for(n, 4) for n in range(5)] == [AGAIN, AGAIN, HARD, GOOD, EASY]


def test_finishing_records_the_attempt_and_schedules_the_drill_card():
    from sqlmodel import select

    from tutor.store.db import session
    from tutor.store.models import Card, DrillAttempt

    result = finish(
        DRILL,
        "execution role, then the bucket policy and kms",
        ["execution-role", "bucket-policy", "kms"],
        datetime.now(UTC),
        95.0,
    )
    assert result.detected == ["execution-role", "bucket-policy", "kms"]
    assert result.rating == GOOD
    with session(read_only=True) as s:
        [attempt] = s.exec(select(DrillAttempt)).all()
        [card] = s.exec(select(Card).where(Card.kind == "drill")).all()
    assert attempt.rating == GOOD and attempt.duration_s == 95.0
    assert card.item_id == "lambda-access-denied"

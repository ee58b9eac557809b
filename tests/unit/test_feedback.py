"""Labs and review feed each other."""

from __future__ import annotations

import pytest

from tutor.content import load_catalog
from tutor.exam.steps import lab_for_lapses
from tutor.grading.session import lapse_linked_cards, linked_questions
from tutor.srs.scheduler import record_answer


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_a_lab_is_linked_to_the_questions_of_its_sections(catalog):
    lab = catalog.labs["s3-secure-bucket"]
    linked = linked_questions(catalog, lab)
    assert linked and all(catalog.questions[q].lesson in lab.lessons for q in linked)


def test_giving_up_on_a_lab_lapses_the_cards_already_learnt(catalog):
    lab = catalog.labs["s3-secure-bucket"]
    seen, unseen = linked_questions(catalog, lab)[:2]
    record_answer("question", seen, 3, 1000)  # learnt, due in the future
    lapsed = lapse_linked_cards(catalog, lab)
    assert len(lapsed) == 1  # only the card already seen; the unseen question stays new
    from datetime import UTC, datetime, timedelta

    from tutor.srs.scheduler import due_cards

    soon = datetime.now(UTC) + timedelta(minutes=15)  # relearning: back within the session
    assert seen in {c.item_id for c in due_cards(at=soon)}
    assert unseen not in {c.item_id for c in due_cards(at=soon)}


def test_repeated_lapses_in_a_domain_suggest_its_lab(catalog):
    assert lab_for_lapses(catalog, {"secure": 2}) is None
    step = lab_for_lapses(catalog, {"secure": 4, "cost": 1})
    assert step is not None and step.action.startswith("app.open_lab(")
    assert "4 recent lapses in Design Secure Architectures" in step.text

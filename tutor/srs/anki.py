"""Export the question bank and the learner's cards to an Anki package (.apkg) with genanki.

Anki cannot import another program's scheduling, so the learner's FSRS state travels as tags
(``tutor::new``, ``tutor::learning``, ``tutor::young``, ``tutor::mature``) and a Progress field.
"""

from __future__ import annotations

import html
import zlib
from pathlib import Path

from .present import LETTERS

MODEL_ID = 1_607_392_001
DECK_ROOT = "aws-tutor"

CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; }
.options li { margin: 4px 0; } .meta { color: #888; font-size: 13px; }"""


def _stable_id(text: str) -> int:
    return 1 << 30 | zlib.crc32(text.encode())


def _model():
    import genanki

    return genanki.Model(
        MODEL_ID,
        "aws-tutor question",
        fields=[{"name": n} for n in ("Id", "Prompt", "Options", "Answer", "Explanation", "Lesson", "Progress")],
        templates=[
            {
                "name": "Question",
                "qfmt": "{{Prompt}}<ol type='A' class='options'>{{Options}}</ol>",
                "afmt": "{{FrontSide}}<hr id='answer'><b>{{Answer}}</b><p>{{Explanation}}</p>"
                "<p class='meta'>{{Lesson}} · {{Id}}<br>{{Progress}}</p>",
            }
        ],
        css=CSS,
    )


def _text(s: str) -> str:
    return html.escape(s.strip()).replace("\n", "<br>")


def _answer(q) -> str:
    if q.type == "single":
        return f"{q.answer}. {q.options[LETTERS.index(q.answer)]}"
    if q.type == "multi":
        return "; ".join(f"{a}. {q.options[LETTERS.index(a)]}" for a in q.answer)
    if q.type == "order":
        return " → ".join(q.options[LETTERS.index(a)] for a in q.answer)
    if q.type == "true_false":
        return "True" if q.answer else "False"
    return f"{q.answer} {q.unit or ''}".strip()


def export_anki(catalog, path: Path) -> tuple[int, int]:
    """Write ``path`` (.apkg): one subdeck per chapter. Returns (notes, notes with progress)."""
    import genanki

    from tutor.store.db import get_engine

    from .scheduler import MATURE_DAYS, REVIEW

    with get_engine().execution_options(tutor_read_only=True).connect() as conn:
        cards = {
            r[0]: r[1:]
            for r in conn.exec_driver_sql(
                "SELECT item_id, state, stability, difficulty, due, lapses, "
                "julianday(due) - julianday(last_review) FROM card WHERE kind = 'question' AND retired = 0"
            )
        }
    model = _model()
    decks: dict[str, genanki.Deck] = {}
    with_progress = 0
    for q in catalog.questions.values():
        lesson_id = q.lesson.partition("#")[0]
        lesson = catalog.lessons.get(lesson_id)
        title = lesson.title if lesson else lesson_id
        deck = decks.get(lesson_id)
        if deck is None:
            name = f"{DECK_ROOT}::{lesson.order:02d} {title}" if lesson else f"{DECK_ROOT}::{title}"
            deck = decks[lesson_id] = genanki.Deck(_stable_id(f"deck:{lesson_id}"), name)
        tags = [
            f"chapter::{lesson_id}",
            f"difficulty::{q.difficulty}",
            *[f"{f}::{d}" for f, d in q.domain.items()],
            *[t.replace(" ", "_") for t in q.tags],
        ]
        card = cards.get(q.id)
        if card:
            state, stability, difficulty, due, lapses, interval = card
            stage = (
                "mature"
                if state == REVIEW and (interval or 0) >= MATURE_DAYS
                else ("young" if state == REVIEW else "learning")
            )
            progress = (
                f"tutor: {stage}, stability {stability:.1f} d, difficulty {difficulty:.1f}, "
                f"due {str(due)[:10]}, {lapses} lapse{'s' if lapses != 1 else ''}"
            )
            with_progress += 1
        else:
            stage, progress = "new", "tutor: new"
        tags.append(f"tutor::{stage}")
        options = (
            "".join(f"<li>{_text(o)}</li>" for o in q.options)
            if q.type != "true_false"
            else "<li>True</li><li>False</li>"
        )
        deck.add_note(
            genanki.Note(
                model=model,
                guid=genanki.guid_for("aws-tutor", q.id),
                tags=tags,
                fields=[
                    q.id,
                    _text(q.prompt),
                    options,
                    _text(_answer(q)),
                    _text(q.explanation),
                    _text(q.lesson),
                    progress,
                ],
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(list(decks.values())).write_to_file(str(path))
    return sum(len(d.notes) for d in decks.values()), with_progress

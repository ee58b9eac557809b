"""Fit FSRS parameters to the learner's own review log with the optional ``fsrs-rs-python`` (no torch).

New parameters are adopted only when they predict the log better (a lower log loss) than the current ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ReviewError

MIN_REVIEWS = 400  # fewer answers than this fit noise, not memory
INSTALL_HINT = (
    'parameter optimisation needs the optional extra: pip install "aws-tutor[optimize]" '
    "(or pip install fsrs-rs-python==0.9.3)"
)


@dataclass(frozen=True)
class OptimizeResult:
    reviews: int
    items: int
    current_loss: float
    new_loss: float
    current: tuple[float, ...]
    new: tuple[float, ...]
    adopted: bool


def available() -> bool:
    try:
        import fsrs_rs_python  # noqa: F401
    except ImportError:
        return False
    return True


def training_items(rows):
    """Rows (card_id, rating, study_day) in card and time order -> fsrs-rs FSRSItems.

    One item per answer on a later day than the card's previous one, holding the card's history up to
    that answer; ``delta_t`` is whole study days since the previous answer (0 for same-day repeats, which
    stay in the history but are not prediction targets: fsrs-rs rejects them as the last review).
    """
    from datetime import date

    from fsrs_rs_python import FSRSItem, FSRSReview

    items = []
    history: list = []
    prev_card, prev_day = None, None
    for card_id, rating, day in rows:
        d = date.fromisoformat(day)
        if card_id != prev_card:
            history, prev_card, prev_day = [], card_id, d
        delta = (d - prev_day).days
        history.append(FSRSReview(int(rating), delta))
        prev_day = d
        if len(history) > 1 and delta > 0:
            item = FSRSItem(list(history))
            if item.long_term_review_cnt() > 0:
                items.append(item)
    return items


def optimize(min_reviews: int = MIN_REVIEWS, adopt: bool = True) -> OptimizeResult:
    if not available():
        raise ReviewError(INSTALL_HINT)
    from fsrs.scheduler import DEFAULT_PARAMETERS
    from fsrs_rs_python import FSRS

    from tutor.store.db import get_engine

    from .config import load_settings, save_settings

    with get_engine().execution_options(tutor_read_only=True).connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT card_id, rating, study_day FROM review_log WHERE study_day IS NOT NULL "
            "ORDER BY card_id, reviewed_at, id"
        ).all()
    if len(rows) < min_reviews:
        raise ReviewError(
            f"optimisation needs at least {min_reviews} answers; the log has {len(rows)}. "
            "Keep reviewing and try again later."
        )
    items = training_items(rows)
    if not items:
        raise ReviewError("no card has been answered on two different days yet; keep reviewing first")
    current = tuple(load_settings().parameters or DEFAULT_PARAMETERS)
    fitted = tuple(float(x) for x in FSRS(list(current)).compute_parameters(items))
    current_loss = FSRS(list(current)).evaluate(items).log_loss
    new_loss = FSRS(list(fitted)).evaluate(items).log_loss
    better = new_loss < current_loss
    if better and adopt:
        save_settings(parameters=fitted)
    return OptimizeResult(len(rows), len(items), current_loss, new_loss, current, fitted, better and adopt)

"""Review settings, stored as JSON in the ``setting`` table under ``review.*`` keys."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from .errors import ReviewError

PREFIX = "review."


@dataclass(frozen=True)
class ReviewSettings:
    desired_retention: float = 0.90
    daily_new: int = 20  # new cards introduced per study day
    max_reviews: int = 200  # answers to already-seen cards per study day
    day_starts_hour: int = 4  # local hour at which a new study day begins
    parameters: tuple[float, ...] | None = None  # FSRS-6 weights; None = the fsrs defaults

    def validate(self) -> ReviewSettings:
        if not 0.7 <= self.desired_retention <= 0.99:
            raise ReviewError("desired retention must be between 0.70 and 0.99 (0.90 is a good default)")
        if self.daily_new < 0 or self.max_reviews < 0:
            raise ReviewError("daily limits cannot be negative")
        if not 0 <= self.day_starts_hour <= 23:
            raise ReviewError("the day boundary is an hour from 0 to 23")
        if self.parameters is not None and len(self.parameters) != 21:
            raise ReviewError("FSRS-6 takes 21 parameters")
        return self


def from_rows(rows) -> ReviewSettings:
    """Settings from (key, json value) rows; unknown or malformed values fall back to defaults."""
    known = {f.name for f in fields(ReviewSettings)}
    values = {}
    for key, raw in rows:
        name = key[len(PREFIX) :] if key.startswith(PREFIX) else None
        if name in known:
            try:
                values[name] = json.loads(raw)
            except ValueError:
                continue
    if values.get("parameters") is not None:
        values["parameters"] = tuple(float(x) for x in values["parameters"])
    try:
        return ReviewSettings(**values).validate()
    except (ReviewError, TypeError):
        return ReviewSettings()


SELECT_SQL = "SELECT key, value FROM setting WHERE key LIKE 'review.%'"


def read_settings(conn) -> ReviewSettings:
    """Read inside an open connection or transaction (a SQLAlchemy Connection)."""
    return from_rows(conn.exec_driver_sql(SELECT_SQL).all())


def load_settings() -> ReviewSettings:
    from tutor.store.db import get_engine

    with get_engine().execution_options(tutor_read_only=True).connect() as conn, conn.begin():
        return read_settings(conn)


def save_settings(**changes) -> ReviewSettings:
    """Change some settings (``desired_retention=0.85``); validates the result before writing."""
    from tutor.store.progress import set_setting

    current = load_settings()
    updated = ReviewSettings(**{**asdict(current), **changes}).validate()
    for name, value in changes.items():
        set_setting(PREFIX + name, list(value) if isinstance(value, tuple) else value)
    return updated

"""The learner's progress: SQLModel tables, the engine, migrations and repository functions."""

from .db import StoreError, get_engine, session

__all__ = ["StoreError", "get_engine", "session"]

"""Content: schemas, the loader and validation. No Textual, no database.

Names are imported on first use, so `tutor validate` can use ``corpus`` without loading pydantic.
"""

from importlib import import_module

_HOMES = {
    "Catalog": "loader",
    "load_catalog": "loader",
    "Problem": "corpus",
    "builtin_root": "corpus",
    "content_roots": "corpus",
    "root_of": "corpus",
    **dict.fromkeys(
        ("Check", "Drill", "ExamProfile", "Expect", "GlossaryEntry", "Lab", "Lesson", "Question", "Section"), "schema"
    ),
}

__all__ = sorted(_HOMES)  # noqa: PLE0605 - the lazy exports are listed once, in _HOMES


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

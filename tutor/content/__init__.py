"""Content: schemas, the loader and validation. No Textual, no database."""

from .loader import Catalog, Problem, builtin_root, content_roots, load_catalog, root_of
from .schema import Check, Drill, ExamProfile, Expect, GlossaryEntry, Lab, Lesson, Question, Section

__all__ = [
    "Catalog", "Check", "Drill", "ExamProfile", "Expect", "GlossaryEntry", "Lab", "Lesson", "Problem",
    "Question", "Section", "builtin_root", "content_roots", "load_catalog", "root_of",
]

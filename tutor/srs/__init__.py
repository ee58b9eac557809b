"""Spaced repetition: FSRS scheduling, the review queue, review sessions and statistics.

Import the submodules you need; this package imports nothing heavy by itself.

- ``tutor.srs.scheduler``: ``record_answer``, ``lapse``, ``undo``, ``rerate``, ``due_cards``, ``retrievabilities``
- ``tutor.srs.queue``: today's queue (due first, then new up to the daily limit) and what is left today
- ``tutor.srs.session``: a review session over the catalog, shared by the TUI and ``tutor review``
- ``tutor.srs.stats``: forecast, heatmap, true retention, mastery
- ``tutor.srs.optimize``: parameter optimisation with the optional ``fsrs-rs-python``
- ``tutor.srs.anki``: export to an Anki package
"""

from .errors import ReviewError

__all__ = ["ReviewError"]

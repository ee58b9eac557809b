class ReviewError(Exception):
    """Something the learner can act on (bad setting, nothing to undo, missing extra); the message says what."""

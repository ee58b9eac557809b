"""Grading: check evaluation, matchers, policy helpers and the IAM policy evaluator.

Importing this package is cheap: boto3 is only imported when a sandbox client is first needed.
The lab session state machine lives in ``tutor.grading.session``.
"""

from tutor.grading.checks import (
    CheckContext,
    CheckFailed,
    CheckOutcome,
    CheckResult,
    GradingError,
    Report,
    compute_score,
    grade,
    run_check,
)
from tutor.grading.matchers import Verdict, match

__all__ = [
    "CheckContext",
    "CheckFailed",
    "CheckOutcome",
    "CheckResult",
    "GradingError",
    "Report",
    "Verdict",
    "compute_score",
    "grade",
    "match",
    "run_check",
]

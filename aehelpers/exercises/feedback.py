"""The feedback every exercise check gives.

Every ``check_...`` function measures the learner's answer, prints what is
right, what is wrong and a hint, and returns a :class:`Feedback`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """The outcome of one exercise check."""

    passed: bool
    message: str

    def __str__(self) -> str:
        return f"{'Correct' if self.passed else 'Not yet'}: {self.message}"


def _feedback(passed: bool, measured: str, *, success: str, hint: str,
              verbose: bool = True) -> Feedback:
    """Build (and print) feedback: what was measured, then praise or a hint."""
    message = f"{measured} {success if passed else 'Hint: ' + hint}"
    feedback = Feedback(passed, message)
    if verbose:
        print(feedback)
    return feedback

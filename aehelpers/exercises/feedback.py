"""The one feedback protocol every exercise check follows.

1. Run unchanged, an exercise still holds its placeholder (``None`` or ``...``): the
   check says what to put there. That is not a try, and never "Correct".
2. A first wrong answer gets a hint that points the way (too high, a missing term, the
   wrong kind of error) without the expected value.
3. The expected value, and the fix, come after a second wrong try of the same exercise in
   the same kernel, or at once with ``show_answer=True``. A right answer starts over.

Feedback is one line, printed once; the returned :class:`Feedback` displays nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

KINDS = ("placeholder", "correct", "hint", "answer")

# Wrong tries per exercise in this kernel, keyed by the checker's name (plus what sets
# the question apart, where one checker asks several: the profile, the architecture).
_TRIES: dict[str, int] = {}


@dataclass(frozen=True, repr=False)
class Feedback:
    """The outcome of one exercise check: passed, the one-line message, and its kind."""

    passed: bool
    message: str
    kind: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "passed", bool(self.passed))  # never np.bool_
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if not isinstance(self.message, str) or "\n" in self.message:
            raise ValueError("message must be one line of text")

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"<{self.kind} feedback: {self.message}>"

    def _ipython_display_(self) -> None:
        """Show nothing: the check has already printed the message."""


def reset_tries() -> None:
    """Forget every wrong try, as a fresh kernel would (for tests and for starting over)."""
    _TRIES.clear()


def tries(checker: str) -> int:
    """Return how many wrong tries ``checker`` has counted since its last right answer."""
    return _TRIES.get(checker, 0)


def is_placeholder(value: object) -> bool:
    """Return whether ``value`` is an exercise placeholder, ``None`` or ``...``."""
    return value is None or value is Ellipsis


def _emit(feedback: Feedback, verbose: bool) -> Feedback:
    if verbose:  # one write, so a kernel sends the line as one output
        print(f"{feedback.message}\n", end="", flush=True)
    return feedback


def placeholder(blanks: Sequence[tuple[str, object, str]], *, answer: Callable[[], str] | None,
                show_answer: bool, verbose: bool) -> Feedback | None:
    """Say what to put in place of each placeholder among ``blanks``, or return None if none is.

    ``blanks`` holds (name, value, what to put there). With one blank the name is left
    out of the message; ``show_answer`` gives the answer instead, when there is one.
    Nothing here counts as a try.
    """
    empty = [(name, value, what) for name, value, what in blanks if is_placeholder(value)]
    if not empty:
        return None
    if show_answer and answer is not None:
        return _emit(Feedback(False, f"Not yet: {answer()}", "answer"), verbose)
    if len(blanks) == 1:
        _, value, what = empty[0]
        text = f"Replace `{_token(value)}` with {what}"
    else:
        text = "Replace " + " and ".join(f"`{_token(value)}` in `{name}` with {what}"
                                         for name, value, what in empty)
    return _emit(Feedback(False, f"{text}, then run this cell again.", "placeholder"), verbose)


def _token(value: object) -> str:
    return "..." if value is Ellipsis else "None"


def respond(checker: str, passed: bool, *, correct: str, hint: Callable[[], str] | str,
            answer: Callable[[], str] | str, show_answer: bool, verbose: bool) -> Feedback:
    """Judge one real try of ``checker``: praise, a hint the first time, the answer after.

    ``hint`` and ``answer`` may be functions, so that an answer that is costly to
    measure is only measured when it is shown.
    """
    if passed:
        _TRIES.pop(checker, None)
        return _emit(Feedback(True, f"Correct: {correct}", "correct"), verbose)
    _TRIES[checker] = _TRIES.get(checker, 0) + 1
    if show_answer or _TRIES[checker] >= 2:
        text = answer() if callable(answer) else answer
        return _emit(Feedback(False, f"Not yet: {text}", "answer"), verbose)
    text = hint() if callable(hint) else hint
    return _emit(Feedback(False, f"Not yet: {text}", "hint"), verbose)


def check_prediction(checker: str, prediction: object, *, what: str,
                     measure: Callable[[], float], show: Callable[[float], str],
                     explain: Callable[[float], str], hint: Callable[[object, float], str],
                     show_answer: bool, verbose: bool, choices: Sequence[str] | None = None,
                     classify: Callable[[float], str] | None = None,
                     tolerance: float | Callable[[float], float] = 0.0,
                     factor: float | None = None, minimum: float | None = None) -> Feedback:
    """Compare a "predict first" answer with what ``measure()`` finds in the learner's models.

    A number passes within ``tolerance`` of the measurement (a number, or a function of
    the measurement), or within ``factor`` times it; a choice passes when it is
    ``classify(measured)``. ``hint(prediction, measured)`` says which way the prediction
    is off and why, without the measurement; ``show`` formats the measurement and
    ``explain`` says what it shows. Nothing is measured for a placeholder.
    """
    from aehelpers._validate import check_choice, check_float

    measured: list[float] = []

    def value() -> float:
        if not measured:
            measured.append(float(measure()))
        return measured[0]

    def answer() -> str:
        yours = "" if is_placeholder(prediction) else f" (you predicted {_shown(prediction)})"
        return _sentence(f"the measurement gives {show(value())}{yours}", explain(value()))

    blank = placeholder([("prediction", prediction, what)], answer=answer,
                        show_answer=show_answer, verbose=verbose)
    if blank is not None:
        return blank
    if choices is not None:
        prediction = check_choice("prediction", prediction, choices)
        passed = prediction == classify(value())
    else:
        prediction = check_float("prediction", prediction, minimum=minimum,
                                 open_min=factor is not None)
        if factor is not None:
            passed = value() > 0 and max(prediction / value(), value() / prediction) <= factor
        else:
            allowed = tolerance(value()) if callable(tolerance) else tolerance
            passed = abs(prediction - value()) <= allowed
    correct = _sentence(f"you predicted {_shown(prediction)} and the measurement gives "
                        f"{show(value())}", explain(value()))
    return respond(checker, passed, correct=correct, hint=lambda: hint(prediction, value()),
                   answer=answer, show_answer=show_answer, verbose=verbose)


def _sentence(first: str, then: str) -> str:
    return f"{first}. {then}".strip()


def _shown(prediction: object) -> str:
    return repr(prediction) if isinstance(prediction, str) else f"{prediction:g}"

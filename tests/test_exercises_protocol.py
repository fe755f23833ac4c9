"""The feedback protocol every exercise check follows, and a helper the other files use.

Placeholder: one line saying what to replace, never "Correct", not a try. First wrong
answer: a hint without the expected value. Second wrong try, or show_answer=True: the
value. One line, printed once; the returned Feedback shows nothing more.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from aehelpers.exercises import Feedback, feedback, reset_tries


@pytest.fixture(autouse=True)
def _fresh_tries():
    reset_tries()
    yield
    reset_tries()


def one_line(capsys) -> str:
    """Return what was printed since the last read, checking it is exactly one line."""
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.endswith("\n"), f"want one line, got {out!r}"
    assert "Feedback(" not in out
    return out


def shows_nothing_more(capsys, result: Feedback) -> None:
    """Displaying the returned object (a cell's last expression) must add nothing."""
    result._ipython_display_()
    assert capsys.readouterr().out == ""


def assert_protocol(capsys, *, blank, wrong, right, expected) -> None:
    """Walk one checker through the protocol.

    ``blank``, ``wrong`` and ``right`` call the checker (passing on keyword arguments,
    for ``show_answer``); ``expected`` lists the texts, formatted the way the checker
    formats them, that give the answer away.
    """
    expected = [expected] if isinstance(expected, str) else list(expected)
    reset_tries()
    for _ in range(2):  # placeholders are never tries
        result = blank()
        out = one_line(capsys)
        assert result.kind == "placeholder" and result.passed is False
        assert result.message.startswith("Replace ") and "Correct" not in out
        assert out == result.message + "\n"
        shows_nothing_more(capsys, result)
    first = wrong()
    out = one_line(capsys)
    assert first.kind == "hint" and first.passed is False, first.message
    assert first.message.startswith("Not yet: ")
    for text in expected:
        assert text not in out, f"the first hint gives away {text!r}: {out}"
    shows_nothing_more(capsys, first)
    second = wrong()
    out = one_line(capsys)
    assert second.kind == "answer" and second.message.startswith("Not yet: ")
    for text in expected:
        assert text in out, f"the answer lacks {text!r}: {out}"
    good = right()
    out = one_line(capsys)
    assert good.kind == "correct" and good.passed is True and type(good.passed) is bool
    assert out.startswith("Correct: ")
    shows_nothing_more(capsys, good)
    assert wrong().kind == "hint"  # a right answer starts the count over
    capsys.readouterr()
    reset_tries()
    asked = wrong(show_answer=True)
    out = one_line(capsys)
    assert asked.kind == "answer" and all(text in out for text in expected), out


# --- Feedback itself ---------------------------------------------------------------------


def test_feedback_is_a_frozen_record_that_shows_nothing_more(capsys):
    result = Feedback(np.True_, "Correct: fine.", "correct")
    assert result.passed is True and type(result.passed) is bool
    assert str(result) == "Correct: fine." and "Feedback(" not in repr(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.passed = False
    shows_nothing_more(capsys, result)


@pytest.mark.parametrize(("message", "kind"), [("two\nlines", "hint"), ("ok", "praise")])
def test_feedback_refuses_bad_records(message, kind):
    with pytest.raises(ValueError):
        Feedback(False, message, kind)


def test_a_cell_ending_in_a_check_prints_one_line_in_a_real_kernel():
    """The issue's symptom: a check as a cell's last line also showed Feedback(passed=...)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = ["import aehelpers as ae",
             "ae.exercises.check_parameter_count(1, layer_sizes=(3, 2))",
             "ae.exercises.check_parameter_count(None, layer_sizes=(3, 2))"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    for cell in notebook.cells[1:]:
        assert [output.output_type for output in cell.outputs] == ["stream"]
        assert cell.outputs[0].text.count("\n") == 1 and "Feedback(" not in cell.outputs[0].text
    assert notebook.cells[1].outputs[0].text.startswith("Not yet: ")
    assert notebook.cells[2].outputs[0].text.startswith("Replace `None`")


def test_tries_are_counted_per_checker_and_verbose_false_still_counts(capsys):
    def judge(name, **options):
        return feedback.respond(name, False, correct="", hint="hint.", answer="answer.",
                                show_answer=False, **options)

    assert judge("first", verbose=False).kind == "hint"
    assert capsys.readouterr().out == ""
    assert judge("second", verbose=True).kind == "hint"  # another exercise: its own count
    assert judge("first", verbose=True).kind == "answer"
    assert feedback.tries("first") == 2
    reset_tries()
    assert feedback.tries("first") == 0


# --- the generic "predict first" judge ---------------------------------------------------


def _predict(prediction, measured, **options):
    defaults = {"what": "your guess", "measure": lambda: measured,
                "show": lambda m: f"value {m:.3f}", "explain": lambda m: "Because.",
                "hint": lambda p, m: "too high." if p > m else "too low.",
                "show_answer": False, "verbose": True}
    return feedback.check_prediction("demo_prediction", prediction, **{**defaults, **options})


def test_prediction_within_a_tolerance(capsys):
    assert_protocol(capsys, blank=lambda **kw: _predict(..., 0.25, tolerance=0.01, **kw),
                    wrong=lambda **kw: _predict(0.5, 0.25, tolerance=0.01, **kw),
                    right=lambda **kw: _predict(0.255, 0.25, tolerance=0.01, **kw),
                    expected="value 0.250")


def test_prediction_within_a_factor_or_a_measured_tolerance():
    assert _predict(4.0, 3.0, factor=1.5).passed
    assert not _predict(5.0, 3.0, factor=1.5).passed
    assert not _predict(5.0, 0.0, factor=1.5).passed  # nothing to compare a factor with
    assert _predict(12.0, 10.0, tolerance=lambda m: 0.3 * m).passed


def test_choice_prediction_and_bad_predictions(capsys):
    options = {"choices": ("lower", "higher"), "classify": lambda m: "lower" if m < 1 else
               "higher", "hint": lambda p, m: "the other way."}
    assert _predict("lower", 0.5, **options).passed
    assert _predict("higher", 0.5, **options).kind == "hint"
    with pytest.raises(ValueError, match="prediction must be one of"):
        _predict("same", 0.5, **options)
    with pytest.raises(TypeError, match="prediction must be a number"):
        _predict("lots", 0.5)


def test_nothing_is_measured_for_a_placeholder(capsys):
    def measure():
        raise AssertionError("measured a placeholder")

    assert _predict(None, 0.0, measure=measure).kind == "placeholder"
    assert "Replace `None` with your guess" in capsys.readouterr().out

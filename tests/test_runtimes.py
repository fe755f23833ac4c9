"""tools.runtimes says each chapter's measured runtime in plain words, and for a chapter that
reuses earlier chapters' models, also how long it takes opened on its own."""

from __future__ import annotations

from tools import runtimes


def test_durations_are_said_as_a_learner_plans_with_them():
    assert [runtimes.spoken(s) for s in (2, 7.4, 44.9, 87, 133.1, 549.6)] == [
        "5 s", "5 s", "45 s", "1.5 minutes", "2 minutes", "9 minutes"]


def test_a_chapter_that_trains_gives_its_first_and_cached_runs():
    line = runtimes.runtime_line(133.1, 11.4)
    assert line.startswith("**Runtime:** about 2 minutes the first time, when it trains its "
                           "models; about 10 s once they are in the model cache (")
    assert runtimes.runtime_line(20.3, 19.6) == f"**Runtime:** about 20 s ({runtimes.MACHINE})."
    assert runtimes.map_cell(133.1, 11.4) == "about 2 minutes first, about 10 s cached"


def test_a_chapter_much_slower_opened_alone_says_so_and_a_close_one_does_not():
    line = runtimes.runtime_line(86.9, 22.3, alone=238.2)
    assert line.startswith("**Runtime:** about 1.5 minutes the first time, when it trains its "
                           "models (about 4 minutes if opened before the chapters whose models "
                           "it reuses); about 20 s once")
    assert runtimes.map_cell(86.9, 22.3, 238.2) == (
        "about 1.5 minutes (about 4 minutes alone) first, about 20 s cached")
    assert runtimes.runtime_line(86.9, 22.3, alone=95.0) == runtimes.runtime_line(86.9, 22.3)
    assert runtimes.map_cell(86.9, 22.3, None) == "about 1.5 minutes first, about 20 s cached"


def test_the_chapter_map_is_rewritten_row_by_row():
    source = ("| chapter | what you do | runtime |\n|---|---|---|\n"
              "| 08 What autoencoders are good for | detect anomalies | old |\n"
              "| 09 GANs | generate | old |")
    cold = {"08_applications": 86.9, "09_gans": 259.2}
    warm = {"08_applications": 22.3, "09_gans": 78.9}
    rewritten = runtimes._rewrite_map(source, cold, warm, {"08_applications": 238.2}).split("\n")
    assert rewritten[:2] == source.split("\n")[:2]
    assert rewritten[2] == ("| 08 What autoencoders are good for | detect anomalies | about "
                            "1.5 minutes (about 4 minutes alone) first, about 20 s cached |")
    assert rewritten[3] == ("| 09 GANs | generate | about 4.5 minutes first, about 1.5 minutes "
                            "cached |")

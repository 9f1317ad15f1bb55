"""Rendering the stats (flashcards.render_stats): glyphs carry the figures, colour only repeats them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from rich.console import Console

from flashcards.render_stats import (
    HEAT_GLYPHS, duration, forecast_chart, forecast_line, heat_legend, heat_level, heatmap, leech_flag,
    stats_view,
)
from flashcards.sm2 import CardState
from flashcards.stats import CardCounts, DayActivity, build_stats


def plain_lines(text) -> list[str]:
    return [line.rstrip() for line in text.plain.split("\n")]


def render(renderable, width=100) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


@pytest.mark.parametrize("count, peak, level", [(0, 8, 0), (1, 8, 1), (2, 8, 1), (3, 8, 2), (6, 8, 3),
                                                (7, 8, 4), (8, 8, 4), (1, 1, 4), (3, 0, 0)])
def test_heat_level(count, peak, level):
    assert heat_level(count, peak) == level


def test_heat_legend_names_the_counts_of_each_glyph():
    assert heat_legend(8).plain == "less · 0  ░ 1-2  ▒ 3-4  ▓ 5-6  █ 7-8  more (reviews a day)"
    assert heat_legend(5).plain == "less · 0  ░ 1  ▒ 2  ▓ 3  █ 4-5  more (reviews a day)"
    assert heat_legend(2).plain == "less · 0  ▒ 1  █ 2  more (reviews a day)"  # empty levels left out


def test_heatmap_places_each_day_under_its_week():
    # today is Wednesday 2026-11-25; three weeks from Monday 2026-11-09
    calendar = {date(2026, 11, 9): DayActivity(8), date(2026, 11, 10): DayActivity(1),
                date(2026, 11, 17): DayActivity(4), date(2026, 11, 22): DayActivity(2),
                date(2026, 11, 25): DayActivity(6), date(2026, 11, 1): DayActivity(50)}  # before the window
    lines = plain_lines(heatmap(calendar, today=date(2026, 11, 25), weeks=3))
    assert lines == [
        "    Nov",
        "Mon █ · ·",  # 8 is the peak: level 4
        "    ░ ▒ ·",  # 1 -> level 1, 4 -> level 2
        "Wed · · ▓",  # 6 -> level 3 (today)
        "    · ·",  # after today: blank
        "Fri · ·",
        "    · ·",
        "Sun · ░",  # 2 -> level 1
        "    less · 0  ░ 1-2  ▒ 3-4  ▓ 5-6  █ 7-8  more (reviews a day)",
    ]


def test_heatmap_month_labels_do_not_overlap():
    # Monday 2026-10-26 starts the first column; the next Monday is in November
    lines = plain_lines(heatmap({date(2026, 12, 1): DayActivity(1)}, today=date(2026, 12, 2), weeks=6))
    assert lines[0] == "      Nov"
    lines = plain_lines(heatmap({date(2026, 12, 1): DayActivity(1)}, today=date(2026, 12, 2), weeks=8))
    assert lines[0] == "    Oct   Nov"  # from Monday 2026-10-12: Oct, then Nov over Monday 11-02 (4th column)


def test_heatmap_reads_without_colour():
    text = heatmap({date(2026, 11, 23): DayActivity(3)}, today=date(2026, 11, 23), weeks=2)
    assert HEAT_GLYPHS[4] in render(text)


def test_forecast_chart_bars_in_eighths():
    counts = [0, 2, 1, 0, 0, 0, 0, 4]
    lines = plain_lines(forecast_chart(counts, today=date(2026, 11, 23), height=2))
    # peak 4 over 2 rows = 16 eighths: 2 -> 8 (one full row), 1 -> 4 (half a row), 4 -> 16
    assert lines == [
        "4 ┤              █",
        "  │  █ ▄         █",
        "0 └" + "─" * 16,
        "   11-23         11-30",
    ]


def test_forecast_chart_and_line_when_nothing_is_due():
    assert forecast_chart([0] * 30, today=date(2026, 11, 23)).plain == "Nothing due in the next 30 days."
    counts = [1, 2, 0, 0, 0, 0, 3, 4] + [0] * 21 + [5]
    assert forecast_line(counts) == "Today 1 · tomorrow 2 · next 7 days 6 · next 30 days 15; new cards not counted"


@pytest.mark.parametrize("ms, text", [(0, "0s"), (42_400, "42s"), (61_000, "1m 01s"), (3_600_000, "1h 00m"),
                                      (7_384_000, "2h 03m")])
def test_duration(ms, text):
    assert duration(ms) == text


def test_leech_flag():
    assert leech_flag("d/e", CardState(ef=130, lapses=1)).plain == (
        "leech: this card keeps slipping (E-Factor at the 1.3 floor); consider rewriting entry d/e")
    assert "(8+ lapses)" in leech_flag("d/e", CardState(ef=190, lapses=8)).plain


def test_stats_view_without_reviews_is_a_friendly_message():
    stats = build_stats(today=date(2026, 11, 23), deck=None, calendar={}, retention_rows=[], records=[])
    out = render(stats_view(stats))
    assert "No reviews yet: run 'flash review' to start." in out
    assert "Reviews, last" not in out and "less ·" not in out and "Streak" not in out
    assert stats.counts == CardCounts()

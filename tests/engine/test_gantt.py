"""The HTML Gantt chart a planner opens: resource names, clock times, readable durations."""

import re

from med_aps_engine import SolveOptions, solve
from med_aps_engine.gantt import format_duration, render_gantt

PROBLEM = {
    "schema_version": 1,
    "origin": "2026-11-25T06:00:00Z",
    "resources": [
        {"id": "WC/1", "name": "Molding Press"},
        {"id": "WC/2", "name": "Sterilizer", "capacity": 2},
    ],
    "jobs": [
        {
            "id": "MO/1",
            "due": 60,
            "operations": [
                {"id": "WO/1", "modes": [{"resource": "WC/1", "duration": 1500}]},
                {
                    "id": "WO/2",
                    "modes": [{"resource": "WC/2", "duration": 300}],
                    "predecessors": [{"op": "WO/1"}],
                },
            ],
        }
    ],
}


def _plan(problem):
    return solve(problem, SolveOptions(time_limit=5, workers=1))


def _titles(text):
    return re.findall(r"<title>([^<]*)</title>", text)


def test_rows_are_named_after_resources_and_their_units():
    text = render_gantt(PROBLEM, _plan(PROBLEM))
    rows = re.findall(r'<text x="4" y="\d+">([^<]*)</text>', text)
    assert rows == ["Molding Press", "Sterilizer (1/2)", "Sterilizer (2/2)"]
    assert "WC/1" not in "".join(rows)


def test_times_are_dates_and_clock_times_from_the_origin():
    plan = _plan(PROBLEM)
    first = next(op for op in plan["operations"] if op["op"] == "WO/1")
    assert (first["start"], first["end"]) == (0, 1500)
    text = render_gantt(PROBLEM, plan)
    tip = next(title for title in _titles(text) if title.startswith("WO/1"))
    assert "2026-11-25 06:00 – 2026-11-26 07:00 (25.0 h)" in tip
    assert "Molding Press" in tip
    # day lines at midnight UTC of the origin's calendar, labelled with the date
    assert ">Thu 26 Nov<" in text
    assert "day 1" not in text


def test_late_amounts_in_hours_or_days():
    plan = _plan(PROBLEM)
    [job] = plan["jobs"]
    assert job["tardiness"] == 1800 - 60
    text = render_gantt(PROBLEM, plan)
    assert "late by 29.0 h" in text
    assert "total tardiness: 29.0 h" in text and "makespan: 30.0 h" in text
    assert "LATE by 29.0 h" in "".join(_titles(text))


def test_without_an_origin_the_axis_counts_days():
    problem = dict(PROBLEM)
    del problem["origin"]
    text = render_gantt(problem, _plan(problem))
    assert ">day 2<" in text
    assert "day 1 00:00 – day 2 01:00 (25.0 h)" in "".join(_titles(text))


def test_format_duration():
    assert format_duration(45) == "45 min"
    assert format_duration(90) == "1.5 h"
    assert format_duration(2 * 1440 + 720) == "2.5 days"

"""Malformed input never gets a traceback (property-based).

``med-aps solve`` and ``med-aps validate`` answer every malformed problem or plan with one line
on stderr naming the element, and exit status 2; they never start solving it. Each generated
input breaks exactly one rule of the schema (a wrong type, an unknown key, a number that is
not finite or beyond the limits, a deep nesting, bytes that are not UTF-8), so the one element
the message must name is known.
"""

import contextlib
import copy
import functools
import io
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from med_aps_engine import OptionError, ProblemError, SolveOptions, solve, validate
from med_aps_engine.cli import main
from med_aps_engine.schema_check import path_text

VALID = {
    "schema_version": 1,
    "origin": "2026-11-25T06:00:00Z",
    "horizon": 20000,
    "objective": {"weighted_tardiness": 1000, "makespan": 1, "stability": 5},
    "resources": [
        {
            "id": "R1",
            "name": "Press",
            "capacity": 1,
            "efficiency": 100,
            "calendar": [[0, 600], [1440, 2040]],
            "changeover": {"default": 10, "rules": [{"from": "a", "to": "b", "minutes": 20}]},
        },
        {"id": "R2", "capacity": 2},
        {"id": "EO", "batch": {"max_size": 4, "cycle_minutes": 90}},
    ],
    "jobs": [
        {
            "id": "MO/1",
            "due": 900,
            "weight": 2,
            "operations": [
                {
                    "id": "WO/1",
                    "modes": [{"resource": "R1", "duration": 30, "setup": 5}],
                    "setup_family": "a",
                    "interruptible": False,
                },
                {
                    "id": "WO/2",
                    "modes": [{"resource": "R2", "duration": 20}],
                    "predecessors": [{"op": "WO/1", "min_lag": 0, "max_lag": 500}],
                },
                {
                    "id": "WO/3",
                    "modes": [{"resource": "EO", "duration": 1}],
                    "predecessors": [{"op": "WO/2"}],
                    "batch_family": "eo",
                },
            ],
        },
        {
            "id": "MO/2",
            "release": 10,
            "operations": [
                {
                    "id": "WO/4",
                    "modes": [{"resource": "R2", "duration": 10}],
                    "predecessors": [{"job": "MO/1", "min_lag": 5}],
                    "locked": {"resource": "R2", "start": 400},
                }
            ],
        },
    ],
    "previous_plan": {"WO/2": {"resource": "R2", "start": 100}},
    "frozen_until": 50,
}

REPO = Path(__file__).resolve().parents[2]
DEEP = "deeply nested list goes here"
NOT_FINITE_OR_HUGE = [math.nan, math.inf, -math.inf, 1e18, -1e18, 2**70, -(2**70)]


def _nodes(value, path=()):
    """Every (path, value) of a JSON tree; path steps are keys and list indexes."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, (*path, index))


NODES = [(path, value) for path, value in _nodes(VALID) if path]


def _get(data, path):
    for step in path:
        data = data[step]
    return data


def _where(data, path):
    """(owner, field) the message must mention for an error at ``path``: the job, operation or
    resource it is in (as ``path_text`` names them), and the last field name below it."""
    steps, node = [], data
    for step in path:
        node = node[step]
        if isinstance(step, int):
            ident = node.get("id") if isinstance(node, dict) else None
            steps.append((step, ident if isinstance(ident, str) else None))
        else:
            steps.append(step)
    size = 0
    if len(path) >= 2 and path[0] in ("jobs", "resources"):
        size = 4 if len(path) >= 4 and path[0] == "jobs" and path[2] == "operations" else 2
    owner = path_text(tuple(steps[:size])) if size else ""
    below = [step for step in path[size:] if isinstance(step, str)]
    if not below and not size:
        below = [step for step in path if isinstance(step, str)]
    return owner, below[-1] if below else ""


@st.composite
def malformed_problems(draw):
    """VALID as JSON text, breaking exactly one schema rule, and (owner, field) to be named."""
    data = copy.deepcopy(VALID)
    path, value = draw(st.sampled_from(NODES))
    parent_path, last = path[:-1], path[-1]
    parent = _get(data, parent_path)
    kind = draw(st.sampled_from(["unknown key", "wrong type", "number", "deep"]))
    if kind == "unknown key" and isinstance(value, dict):
        value_copy = dict(value)
        value_copy["unexpected_key"] = 1
        parent[last] = value_copy
        return json.dumps(data), _where(data, path)
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[last] = draw(st.sampled_from(NOT_FINITE_OR_HUGE))
        return json.dumps(data), _where(data, path)
    if kind == "deep":
        # written as text: neither json.dumps nor a repr of the case could nest this deep
        depth = draw(st.integers(40, 3000))
        parent[last] = [1]  # what the reader sees there: a list
        where = _where(data, path)
        parent[last] = DEEP
        text = json.dumps(data).replace(json.dumps(DEEP), "[" * depth + "1" + "]" * depth)
        return text, where
    # a value of a type no element of the schema accepts at that place
    if isinstance(value, str):
        parent[last] = draw(st.sampled_from([12345, 1.5, [], {"x": 1}]))
    elif isinstance(value, bool):
        parent[last] = draw(st.sampled_from(["yes", 1, []]))
    elif isinstance(value, (int, float)):
        parent[last] = draw(st.sampled_from(["12", [12], {"n": 12}, True]))
    elif isinstance(value, list):
        parent[last] = draw(st.sampled_from(["list", 7, {"a": 1}]))
    else:
        parent[last] = draw(st.sampled_from(["object", 7, [1, 2]]))
    return json.dumps(data), _where(data, path)


def _run(argv):
    err = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue(), time.monotonic() - started


def _assert_one_line_refusal(code, err, seconds, owner, key):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    assert owner in lines[0] and key in lines[0], (owner, key, lines[0])
    assert seconds < 5, f"took {seconds:.1f} s"


SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(case=malformed_problems())
def test_solve_refuses_every_malformed_problem_in_one_line(tmp_path, case):
    text, (owner, key) = case
    path = tmp_path / "problem.json"
    path.write_text(text, encoding="utf-8")
    code, err, seconds = _run(["solve", str(path), "--time-limit", "2"])
    _assert_one_line_refusal(code, err, seconds, owner, key)


@functools.cache
def _valid_plan_text():
    """A valid plan of VALID (solved once: every example pairs it with a broken problem)."""
    return json.dumps(solve(VALID, SolveOptions(time_limit=2, workers=1)))


@SETTINGS
@given(case=malformed_problems())
def test_validate_checks_the_problem_first(tmp_path, case):
    text, (owner, key) = case
    problem, plan = tmp_path / "problem.json", tmp_path / "plan.json"
    problem.write_text(text, encoding="utf-8")
    plan.write_text(_valid_plan_text())
    code, err, seconds = _run(["validate", str(problem), str(plan)])
    _assert_one_line_refusal(code, err, seconds, owner, key)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(garbage=st.binary(min_size=1, max_size=64).map(lambda b: b"\xff" + b))
def test_bytes_that_are_not_utf8_are_named(tmp_path, garbage):
    path = tmp_path / "problem.json"
    path.write_bytes(garbage)
    code, err, seconds = _run(["solve", str(path)])
    _assert_one_line_refusal(code, err, seconds, str(path), "not UTF-8")


@pytest.mark.parametrize(
    "plan, where",
    [
        ([1, 2], "plan: expected an object"),
        ({"status": "FEASIBLE"}, "plan: missing 'operations'"),
        ({"status": "FEASIBLE", "operations": {"op": "x"}}, "operations: expected a list"),
        ({"status": "FEASIBLE", "operations": [{"op": ["x"]}]}, "operations[0].op"),
        ({"status": 3, "operations": []}, "status: expected a string"),
        ({"status": "FEASIBLE", "operations": [], "jobs": "late"}, "jobs: expected a list"),
        ({"status": "FEASIBLE", "operations": [], "kpis": {"makespan": math.nan}}, "kpis.makespan"),
        (
            {"status": "FEASIBLE", "operations": [{"op": "WO/1", "end": -math.inf}]},
            "operations[0].end",
        ),
    ],
)
def test_validate_refuses_a_plan_of_the_wrong_shape(tmp_path, plan, where):
    problem, plan_file = tmp_path / "problem.json", tmp_path / "plan.json"
    problem.write_text(json.dumps(VALID))
    plan_file.write_text(json.dumps(plan))
    code, err, _seconds = _run(["validate", str(problem), str(plan_file)])
    assert code == 2 and where in err and len(err.strip().splitlines()) == 1, err


def test_validate_exit_codes_valid_invalid_internal(tmp_path, monkeypatch):
    problem, plan_file = tmp_path / "problem.json", tmp_path / "plan.json"
    problem.write_text(json.dumps(VALID))
    plan = solve(VALID, SolveOptions(time_limit=2, workers=1))
    plan_file.write_text(json.dumps(plan))
    assert _run(["validate", str(problem), str(plan_file)])[0] == 0
    plan["operations"] = plan["operations"][1:]
    plan_file.write_text(json.dumps(plan))
    assert _run(["validate", str(problem), str(plan_file)])[0] == 1

    def broken(problem, plan):
        raise RuntimeError("boom\nsecond line of the message")

    monkeypatch.setattr("med_aps_engine.validator.validate", broken)
    code, err, _seconds = _run(["validate", str(problem), str(plan_file)])
    assert code == 3
    assert (
        err.startswith("internal error: RuntimeError: boom second line")
        and len(err.strip().splitlines()) == 1
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--time-limit", "nan"], "nan seconds is outside"),
        (["--time-limit", "inf"], "inf seconds is outside"),
        (["--time-limit", "-1"], "-1 seconds is outside"),
        (["--time-limit", "1e308"], "1e308 seconds is outside"),
        (["--time-limit", "soon"], "'soon' is not a number of seconds"),
        (["--workers", "0"], "0 is outside [1, 64]"),
        (["--workers", "100000"], "100000 is outside [1, 64]"),
        (["--seed", str(10**24)], f"{10**24} is outside [0, 2147483647]"),
        (["--seed", "-1"], "-1 is outside [0, 2147483647]"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_cli_checks_its_own_arguments(tmp_path, argv, message):
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(VALID))
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as info:
        main(["solve", str(problem), *argv])
    assert info.value.code == 2
    assert message in err.getvalue()
    assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"time_limit": math.nan}, "time_limit: nan seconds is outside"),
        ({"time_limit": math.inf}, "time_limit: inf seconds is outside"),
        ({"time_limit": 1e308}, "time_limit: 1e+308 seconds is outside"),
        ({"time_limit": 0}, "time_limit: 0 seconds is outside"),
        ({"time_limit": "30"}, "time_limit: expected seconds"),
        ({"workers": 100_000}, "workers: 100000 is outside [1, 64]"),
        ({"workers": True}, "workers: expected a whole number"),
        ({"seed": 2**31}, "seed: 2147483648 is outside [0, 2147483647]"),
        ({"seed": -5}, "seed: -5 is outside [0, 2147483647]"),
        ({"should_stop": 3}, "should_stop: expected a function"),
    ],
)
def test_solve_options_are_bounded(options, message):
    with pytest.raises(OptionError, match=message.replace("[", r"\[").replace("+", r"\+")):
        SolveOptions(**options)


def test_empty_problem_is_refused_not_optimal(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"resources": [], "jobs": []}))
    code, err, _seconds = _run(["solve", str(path)])
    assert code == 2 and err.strip() == "error: jobs: needs at least 1 item, has 0"


def test_bench_help_is_the_benchmark_runner_help():
    result = subprocess.run(
        [sys.executable, "-m", "med_aps_engine.cli", "bench", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--instances" in result.stdout


def test_should_stop_ends_a_long_solve_within_seconds():
    from med_aps_engine.cli import demo_problem_path
    from med_aps_engine.validator import validate

    problem = json.loads(demo_problem_path().read_text(encoding="utf-8"))
    started = time.monotonic()
    plan = solve(
        problem,
        SolveOptions(time_limit=60, workers=2, should_stop=lambda: time.monotonic() > started + 2),
    )
    elapsed = time.monotonic() - started
    assert elapsed < 8, f"stopped after {elapsed:.1f} s"
    assert plan["stopped"] is True
    assert plan["operations"], "the best plan found so far is returned"
    assert validate(problem, plan) == []


def test_extensions_are_carried_and_other_unknown_keys_refused():
    """An application's own data rides under "extensions"; anything else unknown is an
    error naming the element."""
    problem = {
        "schema_version": 1,
        "resources": [{"id": "R", "capacity": 1, "extensions": {"tool": "MOLD-7"}}],
        "jobs": [
            {
                "id": "J",
                "extensions": {"customer": "St. Mary's"},
                "operations": [
                    {
                        "id": "A",
                        "modes": [{"resource": "R", "duration": 10}],
                        "extensions": {"skill": "cleanroom B"},
                    }
                ],
            }
        ],
    }
    plan = solve(problem, SolveOptions(time_limit=2))
    assert plan["status"] == "OPTIMAL"
    assert validate(problem, plan) == []
    problem["jobs"][0]["operations"][0]["tool"] = "MOLD-7"
    with pytest.raises(ProblemError, match="tool"):
        solve(problem, SolveOptions(time_limit=2))

"""RCPSP (PSPLIB Patterson files): reader, model, independent check, command line, bench
selection."""

import json

import pytest

from med_aps_engine.bench.bench_rcpsp import select
from med_aps_engine.cli import main
from med_aps_engine.formats import BenchmarkFormatError
from med_aps_engine.rcpsp import (
    heuristic_schedule,
    lns,
    lower_bound,
    read_rcpsp,
    solve_rcpsp,
    solve_textbook,
)
from med_aps_engine.validator import validate_rcpsp

# 5 activities (1 and 5 dummies), one resource of capacity 2: activities 2 and 3 take both
# units, so activities 2, 3 and 4 run one after the other: optimum 3 + 4 + 5 = 12
SMALL = """5 1
2
0 0 3 2 3 4
3 2 1 5
4 2 1 5
5 1 1 5
0 0 0
"""


def _write(tmp_path, text, name="small.rcp"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_small_file(tmp_path):
    problem = read_rcpsp(_write(tmp_path, SMALL))
    assert problem.n == 5 and problem.capacities == [2]
    assert problem.durations == [0, 3, 4, 5, 0]
    assert problem.successors[0] == [1, 2, 3] and problem.predecessors[4] == [1, 2, 3]
    assert lower_bound(problem) == 10  # energy: ceil((3 * 2 + 4 * 2 + 5 * 1) / 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5 1\n2\n0 0 1 9\n", "successor 9 is beyond 5"),
        ("3 1\n2\n0 0 1 2\n1 3 1 3\n0 0 0\n", "demand 3 on resource 1 exceeds its capacity 2"),
        ("3 1\n2\n0 0 1 2\n1 1 1 3\n0 0 1 2\n", "precedence cycle through activity 2"),
        ("3 1\n2\n0 0 1 2\n", "unexpected end of file"),
        ("3 1\n2\n0 x 1 2\n", "expected an integer"),
    ],
)
def test_bad_files_are_named(tmp_path, text, message):
    with pytest.raises(BenchmarkFormatError) as info:
        read_rcpsp(_write(tmp_path, text))
    assert message in str(info.value) and "small.rcp" in str(info.value)


def test_engine_and_textbook_find_the_optimum(tmp_path):
    path = _write(tmp_path, SMALL)
    problem = read_rcpsp(path)
    for result in (solve_rcpsp(problem, 5, 2), solve_textbook(problem, 5, 2)):
        assert result["makespan"] == 12 and result["status"] == "OPTIMAL"
        assert validate_rcpsp(path, result) == []
        assert [row["activity"] for row in result["activities"]] == [1, 2, 3, 4, 5]


def test_heuristic_schedule_is_feasible(tmp_path):
    path = _write(tmp_path, SMALL)
    problem = read_rcpsp(path)
    starts, makespan, passes = heuristic_schedule(problem, 0.05)
    rows = [
        {"activity": a + 1, "start": s, "end": s + problem.durations[a]}
        for a, s in enumerate(starts)
    ]
    summary = {"makespan": makespan, "status": "FEASIBLE", "bound": None, "activities": rows}
    assert validate_rcpsp(path, summary) == [] and passes >= 1


def _summary(problem, starts, makespan):
    rows = [
        {"activity": a + 1, "start": s, "end": s + problem.durations[a]}
        for a, s in enumerate(starts)
    ]
    return {"makespan": makespan, "status": "FEASIBLE", "bound": None, "activities": rows}


def test_lns_keeps_schedules_valid_and_is_deterministic(bench_data):
    path = bench_data / "rcpsp" / "instances" / "j30" / "j30_5_1.rcp"
    problem = read_rcpsp(path)
    # a poor start: every activity after the one before it
    starts, t = [], 0
    for a in range(problem.n):
        starts.append(t)
        t += problem.durations[a]
    runs = [lns(problem, starts, iterations=6, seed=3, workers=w, size=12) for w in (1, 1, 2)]
    for new, makespan, iterations in runs:
        assert iterations == 6 and makespan <= t
        assert makespan == max(s + d for s, d in zip(new, problem.durations, strict=True))
        assert validate_rcpsp(path, _summary(problem, new, makespan)) == []
    assert runs[0][:2] == runs[1][:2]  # same seed and iteration count: same schedule
    assert runs[0][1] < t


def test_validator_catches_rcpsp_violations(tmp_path):
    path = _write(tmp_path, SMALL)
    good = solve_rcpsp(read_rcpsp(path), 5, 2)
    overlap = json.loads(json.dumps(good))
    rows = {row["activity"]: row for row in overlap["activities"]}
    rows[3]["start"], rows[3]["end"] = rows[2]["start"], rows[2]["start"] + 4
    found = validate_rcpsp(path, overlap)
    assert any("resource 1: 4 units in use" in x for x in found), found
    early = json.loads(json.dumps(good))
    early["activities"][-1]["start"] = early["activities"][-1]["end"] = 0
    assert any("before its predecessor" in x for x in validate_rcpsp(path, early))
    short = json.loads(json.dumps(good))
    short["activities"] = short["activities"][:-1]
    assert any("not scheduled" in x for x in validate_rcpsp(path, short))


def test_cli_solves_and_validates_rcpsp(tmp_path, capsys):
    path = _write(tmp_path, SMALL)
    out = tmp_path / "plan.json"
    args = ["solve", str(path), "--format", "rcpsp", "--time-limit", "3", "--workers", "2"]
    assert main([*args, "--out", str(out)]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert set(summary) == {"makespan", "status", "bound", "activities"}
    assert summary["makespan"] == 12 and summary["bound"] == 12
    assert main(["validate", str(path), str(out), "--format", "rcpsp"]) == 0
    capsys.readouterr()
    bad = _write(tmp_path, "5 1\n2\n0 0 1 9\n", "bad.rcp")
    assert main(["solve", str(bad), "--format", "rcpsp", "--time-limit", "1"]) == 2
    assert "bad.rcp, line 3: activity 1: successor 9 is beyond 5" in capsys.readouterr().err


def test_psplib_instance(bench_data):
    path = bench_data / "rcpsp" / "instances" / "j30" / "j30_1_1.rcp"
    result = solve_rcpsp(read_rcpsp(path), 10, 2)
    assert result["makespan"] == 43 and validate_rcpsp(path, result) == []
    assert len(result["activities"]) == 32


def test_bench_selection():
    available = {f"j30_{g}_{i}": None for g in (1, 2) for i in (1, 2)}
    available["j120_1_1"] = None
    assert select("j30:1", available) == ["j30_1_1", "j30_2_1"]
    assert select("j120", available) == ["j120_1_1"]
    assert select("j30_2_2,j30_1_1", available) == ["j30_2_2", "j30_1_1"]
    with pytest.raises(ValueError):
        select("j60", available)

"""Benchmark formats: readers, summaries and ``validate_benchmark``."""

import glob
import os
import sys

import pytest

from med_aps_engine.formats import (
    BenchmarkFormatError,
    benchmark_summary,
    read_fjsp,
    read_jsplib,
)
from med_aps_engine.validator import validate, validate_benchmark

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from med_aps_engine.bench.baselines import greedy, textbook_jobshop  # noqa: E402

DATA = os.environ.get("MED_APS_BENCH_DATA") or os.path.join(
    os.path.dirname(REPO_ROOT), "shared", "benchmarks"
)
needs_data = pytest.mark.skipif(
    not os.path.isdir(os.path.join(DATA, "jsplib")),
    reason=f"public benchmark data not found at {DATA} (set MED_APS_BENCH_DATA)",
)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _count_ops(problem):
    return sum(len(job["operations"]) for job in problem["jobs"])


# ---------------------------------------------------------------- small hand-made files


def test_jsplib_small_file(tmp_path):
    path = _write(tmp_path, "tiny", "# comment\n# another\n2 2\n0 3 1 2\n1 4 0 0\n")
    problem = read_jsplib(path)
    assert problem["schema_version"] == 1
    assert [r["id"] for r in problem["resources"]] == ["M0", "M1"]
    assert all(r["capacity"] == 1 and r["calendar"] is None for r in problem["resources"])
    assert [j["id"] for j in problem["jobs"]] == ["J0", "J1"]
    ops = problem["jobs"][1]["operations"]
    assert [o["id"] for o in ops] == ["J1.0", "J1.1"]
    assert ops[1]["modes"] == [{"resource": "M0", "duration": 0, "setup": 0, "cleanup": 0}]
    assert ops[1]["predecessors"] == [{"op": "J1.0", "min_lag": 0, "max_lag": None}]
    assert ops[0]["predecessors"] == []
    assert problem["objective"]["makespan"] == 1
    assert problem["objective"]["weighted_tardiness"] == 0
    assert all(j["due"] is None for j in problem["jobs"])


def test_fjsp_small_file_ignores_third_header_value(tmp_path):
    # the third header value (99) is wrong on purpose: it must be ignored
    path = _write(tmp_path, "tiny.fjs", "2 3 99\n2 2 1 5 3 6 1 2 4\n1 1 3 7\n")
    problem = read_fjsp(path)
    assert [r["id"] for r in problem["resources"]] == ["M1", "M2", "M3"]
    op = problem["jobs"][0]["operations"][0]
    assert [(m["resource"], m["duration"]) for m in op["modes"]] == [("M1", 5), ("M3", 6)]
    assert _count_ops(problem) == 3
    # without the third value
    path = _write(tmp_path, "tiny2.fjs", "1 2\n1 2 1 5 2 6\n")
    problem = read_fjsp(path)
    assert _count_ops(problem) == 1
    summary = benchmark_summary(problem, greedy(problem), "fjsp")
    assert summary["operations"] == [{"job": 0, "op": 0, "machine": 1, "start": 0, "end": 5}]
    assert validate_benchmark("fjsp", path, summary) == []
    summary["operations"][0]["end"] = 6
    summary["makespan"] = 6
    assert any("duration mismatch" in v for v in validate_benchmark("fjsp", path, summary))


@pytest.mark.parametrize(
    "text, needle",
    [
        ("2 2\n0 3 1 2\n1 4 x 0\n", "line 3: job 1 operation 1 machine: expected an integer"),
        ("2 2\n0 3 1 2\n1 4\n", "line 3: unexpected end of file"),
        ("2 2\n0 3 2 2\n1 4 0 1\n", "line 2: job 0 operation 1: machine 2 outside 0..1"),
        ("2 2\n0 3 1 -2\n1 4 0 1\n", "line 2: job 0 operation 1 duration: -2 must be >= 0"),
        ("1 2\n0 3 0 2\n", "line 2: job 0 visits machine 0 twice"),
        ("1 2\n0 3 1 2\n7\n", "line 3: unexpected extra data '7'"),
    ],
)
def test_jsplib_malformed(tmp_path, text, needle):
    path = _write(tmp_path, "bad_js", text)
    with pytest.raises(BenchmarkFormatError) as err:
        read_jsplib(path)
    assert str(err.value).startswith("bad_js, ")
    assert needle in str(err.value)


@pytest.mark.parametrize(
    "text, needle",
    [
        ("1\n1 1 1 5\n", "line 1: header must be 'jobs machines [average]'"),
        ("1 2\n1 1 3 5\n", "line 2: job 0 operation 0: machine 3 outside 1..2"),
        ("1 2\n1 2 1 5 1 6\n", "line 2: job 0 operation 0 lists machine 1 twice"),
        ("1 2\n1 0\n", "line 2: job 0 operation 0: number of machines: 0 must be >= 1"),
        ("2 2\n1 1 1 5\n", "unexpected end of file while reading job 1"),
    ],
)
def test_fjsp_malformed(tmp_path, text, needle):
    path = _write(tmp_path, "bad.fjs", text)
    with pytest.raises(BenchmarkFormatError) as err:
        read_fjsp(path)
    assert str(err.value).startswith("bad.fjs, ")
    assert needle in str(err.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(BenchmarkFormatError, match="nothere: cannot read file"):
        read_jsplib(str(tmp_path / "nothere"))


def test_summary_numbering_and_validation(tmp_path):
    path = _write(tmp_path, "tiny.fjs", "2 3\n2 2 1 5 3 6 1 2 4\n1 1 3 7\n")
    problem = read_fjsp(path)
    plan = greedy(problem)
    assert validate(problem, plan) == []
    summary = benchmark_summary(problem, plan, "fjsp")
    assert summary["status"] == "FEASIBLE"
    assert summary["operations"][0] == {"job": 0, "op": 0, "machine": 1, "start": 0, "end": 5}
    assert {(r["job"], r["op"]) for r in summary["operations"]} == {(0, 0), (0, 1), (1, 0)}
    assert summary["makespan"] == max(r["end"] for r in summary["operations"])
    assert validate_benchmark("fjsp", path, summary) == []
    assert validate_benchmark("fjsp", problem, summary) == []
    # machine 2 cannot do job 0 operation 0
    broken = dict(summary, operations=[dict(r) for r in summary["operations"]])
    broken["operations"][0]["machine"] = 2
    violations = validate_benchmark("fjsp", path, broken)
    assert any("'J0.0'" in v and "not eligible" in v for v in violations)
    with pytest.raises(ValueError, match="unknown benchmark format 'xyz'"):
        benchmark_summary(problem, plan, "xyz")


# ---------------------------------------------------------------- the shipped instances


@needs_data
def test_every_jsplib_file_parses():
    files = sorted(glob.glob(os.path.join(DATA, "jsplib", "instances", "*")))
    assert len(files) >= 80
    for path in files:
        problem = read_jsplib(path)
        n_jobs, n_mach = len(problem["jobs"]), len(problem["resources"])
        assert _count_ops(problem) == n_jobs * n_mach, path
        assert problem["resources"][0]["id"] == "M0"


@needs_data
def test_every_fjsp_file_parses():
    files = sorted(glob.glob(os.path.join(DATA, "fjsp", "**", "*.txt"), recursive=True))
    assert len(files) >= 100
    for path in files:
        problem = read_fjsp(path)
        assert problem["resources"][0]["id"] == "M1", path
        assert _count_ops(problem) > 0


@needs_data
def test_quirks_orb07_zero_duration_and_unused_machines():
    orb07 = read_jsplib(os.path.join(DATA, "jsplib", "instances", "orb07"))
    zero = [
        op["id"]
        for job in orb07["jobs"]
        for op in job["operations"]
        if op["modes"][0]["duration"] == 0
    ]
    assert zero == ["J9.9"]
    plan = greedy(orb07)
    assert validate(orb07, plan) == []
    mk06 = read_fjsp(os.path.join(DATA, "fjsp", "Brandimarte1993", "mk06.txt"))
    assert len(mk06["resources"]) == 15  # declared 15, only 1..10 used: harmless
    used = {m["resource"] for j in mk06["jobs"] for o in j["operations"] for m in o["modes"]}
    assert used == {f"M{k}" for k in range(1, 11)}


@needs_data
def test_ft06_textbook_optimum_validates():
    path = os.path.join(DATA, "jsplib", "instances", "ft06")
    problem = read_jsplib(path)
    plan = textbook_jobshop(problem, time_limit=5, workers=1)
    summary = benchmark_summary(problem, plan, "jsplib")
    assert summary["makespan"] == 55
    assert summary["status"] == "OPTIMAL"
    assert summary["bound"] == 55
    assert len(summary["operations"]) == 36
    assert validate_benchmark("jsplib", path, summary) == []
    assert validate_benchmark("jsplib", problem, summary) == []
    # a corrupted summary is caught: shift one operation earlier than its predecessor allows
    rows = [dict(r) for r in summary["operations"]]
    first = next(r for r in rows if (r["job"], r["op"]) == (0, 0))
    second = next(r for r in rows if (r["job"], r["op"]) == (0, 1))
    length = second["end"] - second["start"]
    second["start"] = first["end"] - 1
    second["end"] = second["start"] + length
    violations = validate_benchmark("jsplib", path, dict(summary, operations=rows))
    assert any("'J0.1'" in v and "precedence violated" in v for v in violations)
    wrong = validate_benchmark("jsplib", path, dict(summary, makespan=54))
    assert wrong[0] == "makespan 54 differs from the latest operation end 55"
    low = validate_benchmark("jsplib", path, dict(summary, bound=56))
    assert low == ["bound 56 is above the makespan 55"]


@needs_data
def test_greedy_mk01_validates():
    path = os.path.join(DATA, "fjsp", "Brandimarte1993", "mk01.txt")
    problem = read_fjsp(path)
    summary = benchmark_summary(problem, greedy(problem), "fjsp")
    assert summary["makespan"] >= 40  # best known 40
    assert validate_benchmark("fjsp", path, summary) == []


# ---------------------------------------------------------------- benchmark harness


def test_instance_selection():
    from med_aps_engine.bench import expand_selection

    names = ["ft06", "la01", "la02", "ta01", "ta02", "ta03", "la01_edata", "mk01"]
    assert expand_selection("ta01-ta03", names) == ["ta01", "ta02", "ta03"]
    assert expand_selection("la,ft06", names) == ["la01", "la02", "la01_edata", "ft06"]
    assert expand_selection("edata", names) == ["la01_edata"]
    assert expand_selection(None, names) == names
    with pytest.raises(ValueError, match="unknown instance 'ta04'"):
        expand_selection("ta03-ta04", names)
    with pytest.raises(ValueError, match="unknown instance or family 'xx'"):
        expand_selection("xx", names)


def test_missing_data_is_reported(tmp_path, capsys):
    from med_aps_engine.bench.run import main

    assert main(["jobshop", "--data", str(tmp_path / "none"), "--time-limit", "1"]) == 2
    err = capsys.readouterr().err
    assert "benchmark data not found" in err
    assert "MED_APS_BENCH_DATA" in err


@needs_data
def test_jobshop_bench_runs(tmp_path, capsys):
    import json

    from med_aps_engine.bench.run import main

    out = tmp_path / "res.json"
    args = ["jobshop", "--instances", "ft06", "--time-limit", "1", "--workers", "1"]
    assert main([*args, "--data", DATA, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| instance" in text and "textbook gap%" in text and "mean ft (1)" in text
    results = json.loads(out.read_text())
    assert results["ft06"]["bks"] == 55
    assert results["ft06"]["textbook"]["makespan"] == 55
    assert results["ft06"]["greedy"]["makespan"] == 71
    assert results["ft06"]["greedy"]["violations"] == []

"""The ``med-aps`` command line: solve, validate, demo and errors."""

import json
import subprocess
import sys
from pathlib import Path

from med_aps_engine.cli import main

REPO = Path(__file__).resolve().parents[2]

SMALL = {
    "schema_version": 1,
    "resources": [{"id": "R1"}, {"id": "R2", "capacity": 2}],
    "jobs": [
        {
            "id": "J1",
            "due": 30,
            "operations": [
                {"id": "A", "modes": [{"resource": "R1", "duration": 20}]},
                {
                    "id": "B",
                    "modes": [{"resource": "R2", "duration": 15}],
                    "predecessors": [{"op": "A"}],
                },
            ],
        },
        {"id": "J2", "operations": [{"id": "C", "modes": [{"resource": "R1", "duration": 5}]}]},
    ],
}


def _write(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_solve_and_validate_json(tmp_path, capsys):
    problem = _write(tmp_path / "p.json", SMALL)
    out = tmp_path / "plan.json"
    gantt = tmp_path / "plan.html"
    rc = main(
        [
            "solve",
            str(problem),
            "--time-limit",
            "2",
            "--workers",
            "2",
            "--out",
            str(out),
            "--gantt",
            str(gantt),
        ]
    )
    assert rc == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    plan = json.loads(out.read_text())
    assert summary["status"] == plan["status"] == "OPTIMAL"
    assert {e["op"] for e in plan["operations"]} == {"A", "B", "C"}
    html = gantt.read_text()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert main(["validate", str(problem), str(out)]) == 0
    assert capsys.readouterr().out.strip() == "VALID"


def test_validate_reports_violations(tmp_path, capsys):
    problem = _write(tmp_path / "p.json", SMALL)
    bad = {
        "status": "FEASIBLE",
        "operations": [
            {"op": "A", "job": "J1", "resource": "R1", "unit": 0, "start": 0, "end": 20},
            {"op": "B", "job": "J1", "resource": "R2", "unit": 0, "start": 10, "end": 25},
            {"op": "C", "job": "J2", "resource": "R1", "unit": 0, "start": 0, "end": 5},
        ],
    }
    plan = _write(tmp_path / "bad.json", bad)
    assert main(["validate", str(problem), str(plan)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID: ")
    assert "precedence violated" in out and "overlap" in out


def test_bad_problem_exits_2_without_traceback(tmp_path):
    broken = json.loads(json.dumps(SMALL))
    broken["jobs"][0]["operations"][0]["modes"][0]["duration"] = -5
    problem = _write(tmp_path / "p.json", broken)
    proc = subprocess.run(
        [sys.executable, "-m", "med_aps_engine.cli", "solve", str(problem), "--time-limit", "1"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: operation 'A' of job 'J1': duration -5 is negative"
    assert "Traceback" not in proc.stderr


def test_solve_jsplib_prints_one_json_line(tmp_path, bench_data):
    out = tmp_path / "ft06.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "med_aps_engine.cli",
            "solve",
            str(bench_data / "jsplib" / "instances" / "ft06"),
            "--format",
            "jsplib",
            "--time-limit",
            "10",
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["makespan"] == 55 and summary["status"] == "OPTIMAL"
    assert json.loads(out.read_text()) == summary
    first = summary["operations"][0]
    assert set(first) == {"job", "op", "machine", "start", "end"}
    assert min(o["machine"] for o in summary["operations"]) == 0
    assert (
        main(
            [
                "validate",
                str(bench_data / "jsplib" / "instances" / "ft06"),
                str(out),
                "--format",
                "jsplib",
            ]
        )
        == 0
    )


def test_solve_fjsp_numbers_machines_from_one(tmp_path, bench_data, capsys):
    out = tmp_path / "mk01.json"
    mk01 = bench_data / "fjsp" / "Brandimarte1993" / "mk01.txt"
    assert (
        main(["solve", str(mk01), "--format", "fjsp", "--time-limit", "3", "--out", str(out)]) == 0
    )
    summary = json.loads(capsys.readouterr().out.strip())
    assert min(o["machine"] for o in summary["operations"]) == 1
    assert summary["makespan"] >= 40
    assert main(["validate", str(mk01), str(out), "--format", "fjsp"]) == 0


def test_demo_writes_plan_and_gantt(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--time-limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "valid: yes" in out
    assert f"Gantt:   {tmp_path / 'demo_plan.html'}" in out
    plan = json.loads((tmp_path / "demo_plan.json").read_text())
    problem = json.loads((tmp_path / "demo_problem.json").read_text())
    assert len(plan["operations"]) == sum(len(j["operations"]) for j in problem["jobs"])
    html = (tmp_path / "demo_plan.html").read_text()
    assert "<script src" not in html and "cdn" not in html.lower()

"""Command line: ``med-aps solve | validate | demo | bench``."""

import argparse
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

from .problem import ProblemError

FORMATS = ("json", "jsplib", "fjsp")


def _read_problem(path, fmt):
    if fmt == "json":
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except OSError as exc:
            raise ProblemError(f"{path}: cannot read problem file: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise ProblemError(f"{path}: not valid JSON: {exc}") from None
    from . import formats

    try:
        return formats.read_benchmark(fmt, path)
    except ValueError as exc:
        raise ProblemError(str(exc)) from None


def _write_json(path, data):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")


def _progress_printer(enabled):
    if not enabled:
        return None

    def report(fraction, message):
        print(f"[{fraction * 100:5.1f}%] {message}", file=sys.stderr, flush=True)

    return report


def cmd_solve(args):
    from .solver import SolveOptions, solve

    problem = _read_problem(args.problem, args.format)
    options = SolveOptions(
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        log=args.log,
        progress=_progress_printer(args.verbose),
    )
    plan = solve(problem, options=options)
    if args.format == "json":
        if args.out:
            _write_json(args.out, plan)
        kpis = plan.get("kpis") or {}
        summary = {
            "status": plan["status"],
            "objective": plan["objective"],
            "bound": plan["bound"],
            "gap": plan["gap"],
            "method": plan["method"],
            "solve_seconds": plan["solve_seconds"],
            **{k: kpis.get(k) for k in ("makespan", "total_weighted_tardiness", "late_jobs")},
        }
        if args.out:
            summary["out"] = args.out
    else:
        from .formats import benchmark_summary

        summary = benchmark_summary(problem, plan, args.format)
        if args.out:
            _write_json(args.out, summary)
    if args.gantt:
        from .gantt import write_gantt

        write_gantt(problem, plan, args.gantt, title=os.path.basename(args.problem))
    print(
        json.dumps(summary, separators=(",", ":")) if args.format != "json" else json.dumps(summary)
    )
    return 0 if plan["operations"] else 3


def cmd_validate(args):
    problem = _read_problem(args.problem, args.format)
    try:
        with open(args.plan, encoding="utf-8") as handle:
            plan = json.load(handle)
    except (OSError, json.JSONDecodeError) as exc:
        raise ProblemError(f"{args.plan}: cannot read plan: {exc}") from None
    from .validator import validate, validate_benchmark

    if args.format == "json":
        violations = validate(problem, plan)
    else:
        violations = validate_benchmark(args.format, problem, plan)
    if violations:
        print(f"INVALID: {len(violations)} violation(s)")
        for line in violations:
            print(f"- {line}")
        return 1
    print("VALID")
    return 0


def demo_problem_path():
    return resources.files("med_aps_engine").joinpath("data/demo_plant.json")


def cmd_demo(args):
    from .gantt import write_gantt
    from .solver import SolveOptions, solve
    from .validator import validate

    problem = json.loads(demo_problem_path().read_text(encoding="utf-8"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plan = solve(
        problem,
        options=SolveOptions(
            time_limit=args.time_limit,
            workers=args.workers,
            progress=_progress_printer(args.verbose),
        ),
    )
    violations = validate(problem, plan)
    plan_path = out / "demo_plan.json"
    gantt_path = out / "demo_plan.html"
    problem_path = out / "demo_problem.json"
    _write_json(problem_path, problem)
    _write_json(plan_path, plan)
    write_gantt(problem, plan, gantt_path, title="med-aps demo plant")
    kpis = plan.get("kpis") or {}
    n_ops = sum(len(j["operations"]) for j in problem["jobs"])
    print(
        f"Demo plant: {len(problem['resources'])} work centres, {len(problem['jobs'])} jobs, "
        f"{n_ops} operations"
    )
    print(
        f"Plan: status {plan['status']}, objective {plan['objective']}, makespan "
        f"{kpis.get('makespan')} min, late jobs {kpis.get('late_jobs')}, changeovers "
        f"{kpis.get('changeovers')} ({kpis.get('changeover_minutes')} min), "
        f"valid: {'yes' if not violations else 'NO'}"
    )
    print(f"Problem: {problem_path}")
    print(f"Plan:    {plan_path}")
    print(f"Gantt:   {gantt_path}")
    return 0 if not violations else 1


def cmd_bench(args):
    argv = list(args.bench_args)
    try:
        from bench.run import main as bench_main
    except ImportError:
        root = Path(__file__).resolve().parent.parent
        if not (root / "bench" / "run.py").exists():
            print(
                "med-aps bench: the benchmark runner (bench/run.py) is part of the source "
                "checkout; run this command from the repository",
                file=sys.stderr,
            )
            return 2
        return subprocess.call([sys.executable, "-m", "bench.run", *argv], cwd=root)
    return bench_main(argv) or 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="med-aps", description="Finite-capacity scheduling for medical-device plants."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_solve = sub.add_parser("solve", help="plan a problem file")
    p_solve.add_argument("problem", help="problem file (JSON, or a benchmark file)")
    p_solve.add_argument("--time-limit", type=float, default=30.0, help="seconds (default 30)")
    p_solve.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    p_solve.add_argument("--seed", type=int, default=0)
    p_solve.add_argument("--out", help="write the plan (or benchmark summary) JSON here")
    p_solve.add_argument("--gantt", help="write a standalone Gantt HTML here")
    p_solve.add_argument("--format", choices=FORMATS, default="json")
    p_solve.add_argument("--log", action="store_true", help="show the CP-SAT search log")
    p_solve.add_argument("-v", "--verbose", action="store_true", help="print progress")
    p_solve.set_defaults(func=cmd_solve)

    p_val = sub.add_parser("validate", help="check a plan against a problem")
    p_val.add_argument("problem")
    p_val.add_argument("plan")
    p_val.add_argument("--format", choices=FORMATS, default="json")
    p_val.set_defaults(func=cmd_validate)

    p_demo = sub.add_parser("demo", help="plan the bundled sample med-device plant")
    p_demo.add_argument("--out", default="med-aps-demo", help="output folder")
    p_demo.add_argument("--time-limit", type=float, default=10.0)
    p_demo.add_argument("--workers", type=int, default=2)
    p_demo.add_argument("-v", "--verbose", action="store_true")
    p_demo.set_defaults(func=cmd_demo)

    p_bench = sub.add_parser(
        "bench", help="run the benchmarks (python -m bench.run ...)", add_help=False
    )
    p_bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    p_bench.set_defaults(func=cmd_bench)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ProblemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

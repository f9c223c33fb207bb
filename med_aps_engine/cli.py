"""Command line: ``med-aps solve | validate | demo | bench``."""

import argparse
import json
import math
import os
import sys
from importlib import resources
from pathlib import Path

from .problem import ProblemError, load_problem
from .schema_check import check_shape, path_text
from .solver import MAX_SEED, MAX_TIME_LIMIT, MAX_WORKERS, OptionError

FORMATS = ("json", "jsplib", "fjsp", "rcpsp")
# JSON nested deeper than this is refused before it is read (a problem nests 7 levels)
MAX_JSON_DEPTH = 10_000


# The containers and keys the validator reads (it trusts its input's shape), checked first:
# a plan not of this shape is bad input (exit 2 of ``med-aps validate``), not an invalid plan.
PLAN_SHAPE = {
    "type": "object",
    "required": ["status", "operations"],
    "properties": {
        "status": {"type": "string", "maxLength": 64},
        "operations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["op"],
                "properties": {
                    "op": {"type": "string", "maxLength": 256},
                    "job": {"type": ["string", "null"], "maxLength": 256},
                    "resource": {"type": ["string", "null"], "maxLength": 256},
                    "unit": {"type": ["integer", "null"], "maximum": 10000},
                    "batch": {"type": ["string", "null"], "maxLength": 256},
                    "secondary": {
                        "type": ["array", "null"],
                        "items": {
                            "type": "object",
                            "properties": {
                                "resource": {"type": ["string", "null"], "maxLength": 256},
                                "unit": {"type": ["integer", "null"], "maximum": 10000},
                                "start": {"type": ["integer", "null"]},
                                "end": {"type": ["integer", "null"]},
                                "maintenance": {"type": ["object", "null"]},
                            },
                        },
                    },
                },
            },
        },
        "jobs": {
            "type": ["array", "null"],
            "items": {"type": "object", "properties": {"job": {"type": ["string", "null"]}}},
        },
        "kpis": {"type": ["object", "null"]},
    },
}


def check_plan_shape(plan):
    """Raise ProblemError (one line, naming the element) if ``plan`` is not plan-shaped."""
    check_shape(plan, ProblemError, PLAN_SHAPE, name="plan")
    _check_finite(plan)


def _check_finite(plan):
    """No NaN or infinity anywhere in a plan, the parts the shape leaves open included
    (walked without recursion: a plan may nest up to MAX_JSON_DEPTH levels)."""
    stack = [((), plan)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise ProblemError(f"{path_text(path, 'plan')}: {value} is not a finite number")
        if isinstance(value, dict):
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, (index, None)), item) for index, item in enumerate(value))


def read_json_file(path, what):
    """The JSON value in ``path``; ProblemError (one line) for anything but strict UTF-8 JSON."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ProblemError(f"{path}: cannot read {what}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemError(
            f"{path}: {what} is not UTF-8 text (byte {exc.start}: {raw[exc.start]:#04x})"
        ) from None
    try:
        # NaN and Infinity are read as floats: the shape check then names where they are
        try:
            return json.loads(text)
        except RecursionError:
            return _loads_deep(text, path, what)
    except ProblemError:
        raise
    except ValueError as exc:
        first_line = str(exc).splitlines()[0]
        raise ProblemError(f"{path}: {what} is not valid JSON: {first_line}") from None


def _loads_deep(text, path, what):
    """Read JSON nested deeper than Python's recursion limit, up to MAX_JSON_DEPTH levels, so
    that the shape check can name the element; deeper is refused here."""
    depth = _nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ProblemError(
            f"{path}: {what} is nested {depth} levels deep (at most {MAX_JSON_DEPTH})"
        ) from None
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 2 * depth + 1000))
    try:
        return json.loads(text)
    finally:
        sys.setrecursionlimit(limit)


def _nesting_depth(text):
    """Deepest nesting of [ and { in JSON text (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _read_problem(path, fmt):
    if fmt == "json":
        return read_json_file(path, "problem")
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


def cmd_solve_rcpsp(args):
    """RCPSP (PSPLIB Patterson file): its own model, summary with activities as in the file."""
    from .formats import BenchmarkFormatError
    from .rcpsp import read_rcpsp, solve_rcpsp

    if args.gantt:
        raise ProblemError("--gantt is not available for --format rcpsp")
    try:
        problem = read_rcpsp(args.problem)
    except BenchmarkFormatError as exc:
        raise ProblemError(str(exc)) from None
    result = solve_rcpsp(problem, args.time_limit, args.workers, args.seed, args.log)
    summary = {key: result[key] for key in ("makespan", "status", "bound", "activities")}
    if args.out:
        _write_json(args.out, summary)
    print(json.dumps(summary, separators=(",", ":")))
    return 0 if summary["activities"] else 3


def cmd_solve(args):
    from .solver import SolveOptions, solve

    if args.format == "rcpsp":
        return cmd_solve_rcpsp(args)
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
    from .validator import validate, validate_benchmark, validate_rcpsp

    if args.format == "rcpsp":
        plan = read_json_file(args.plan, "plan")
        try:
            violations = validate_rcpsp(args.problem, plan)
        except (OSError, ValueError) as exc:
            raise ProblemError(f"{args.problem}: cannot read the RCPSP file: {exc}") from None
        return _report_violations(violations)
    problem = _read_problem(args.problem, args.format)
    if args.format == "json":
        load_problem(problem)  # a bad problem is bad input (exit 2), not an invalid plan
    plan = read_json_file(args.plan, "plan")
    if args.format == "json":
        check_plan_shape(plan)
        violations = validate(problem, plan)
    else:
        violations = validate_benchmark(args.format, problem, plan)
    return _report_violations(violations)


def _report_violations(violations):
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
    from .bench.run import main as bench_main

    return bench_main(list(args.bench_args)) or 0


def time_limit_arg(text):
    """``--time-limit``: finite seconds in (0, 7 days]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 < value <= MAX_TIME_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{text} seconds is outside (0, {MAX_TIME_LIMIT}] (7 days)"
        )
    return value


def workers_arg(text):
    """``--workers``: a whole number in [1, 64]."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{value} is outside [1, {MAX_WORKERS}]")
    return value


def seed_arg(text):
    """``--seed``: a whole number in [0, 2^31 - 1] (CP-SAT's seed is 32-bit)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{value} is outside [0, {MAX_SEED}]")
    return value


class _OneLineParser(argparse.ArgumentParser):
    """A bad argument is one line on stderr (with where to find the usage), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser():
    parser = _OneLineParser(
        prog="med-aps", description="Finite-capacity scheduling for medical-device plants."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)

    p_solve = sub.add_parser("solve", help="plan a problem file")
    p_solve.add_argument("problem", help="problem file (JSON, or a benchmark file)")
    p_solve.add_argument(
        "--time-limit", type=time_limit_arg, default=30.0, help="seconds (default 30)"
    )
    p_solve.add_argument(
        "--workers",
        type=workers_arg,
        default=2,
        help="cores: CP-SAT workers, and a second tabu search on job shops (default 2, at most 64)",
    )
    p_solve.add_argument("--seed", type=seed_arg, default=0, help="random seed (default 0)")
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
    p_demo.add_argument("--time-limit", type=time_limit_arg, default=10.0)
    p_demo.add_argument("--workers", type=workers_arg, default=2)
    p_demo.add_argument("-v", "--verbose", action="store_true")
    p_demo.set_defaults(func=cmd_demo)

    p_bench = sub.add_parser(
        "bench", help="run the engine benchmarks (med-aps bench --help)", add_help=False
    )
    p_bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    p_bench.set_defaults(func=cmd_bench)
    return parser


EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3


def main(argv=None):
    """Exit status: 0 done / plan valid, 1 plan invalid, 2 bad input (one line on stderr),
    3 internal error (one line, please report it)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:
        # everything after "bench" (--help included) belongs to the benchmark runner
        return cmd_bench(argparse.Namespace(bench_args=argv[1:]))
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ProblemError, OptionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("error: the input is nested too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # one line, never a traceback
        detail = " ".join(str(exc).split())[:300]
        print(
            f"internal error: {type(exc).__name__}: {detail} (please report it with the input "
            "that caused it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())

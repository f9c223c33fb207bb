"""Plant-scale benchmark: a generated med-device plant (``med_aps_engine.plantgen``).

For each size: the engine solves in a child process (so that its peak memory can be measured
with ``resource.getrusage``); the plan is checked by the independent validator; the table shows
time to the first plan (from the plan's ``progress``), the objective over time, the best plan at
the time limit and the peak memory, beside the job-by-job list schedule of the generator.
"""

import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time

from med_aps_engine.plantgen import generate_plant, witness_plan
from med_aps_engine.validator import validate

from . import engine_api, fmt_num, print_table

DEFAULT_LIMITS = (120.0, 300.0)


def objective_of(problem, plan):
    """KPIs and the weighted objective of ``plan``, recomputed here from the operations."""
    weights = {
        "weighted_tardiness": 1000,
        "makespan": 1,
        "flow_time": 0,
        "changeover": 1,
        "stability": 0,
    }
    weights.update(problem.get("objective") or {})
    finish = {}
    for row in plan.get("operations") or []:
        finish[row["job"]] = max(finish.get(row["job"], row["end"]), row["end"])
    if not finish:
        return None
    wt = late = flow = 0
    for job in problem["jobs"]:
        f = finish.get(job["id"], 0)
        flow += f - (job.get("release") or 0)
        if job.get("due") is not None and f > job["due"]:
            wt += (job.get("weight") or 1) * (f - job["due"])
            late += 1
    changeover = sum(row.get("changeover_minutes") or 0 for row in plan["operations"])
    makespan = max(finish.values())
    objective = (
        weights["weighted_tardiness"] * wt
        + weights["makespan"] * makespan
        + weights["flow_time"] * flow
        + weights["changeover"] * changeover
    )
    return {
        "objective": objective,
        "weighted_tardiness": wt,
        "late_jobs": late,
        "makespan": makespan,
        "changeover_minutes": changeover,
    }


def _child(n_jobs, seed, time_limit, workers, out_path, plant_options):
    solve, options_cls = engine_api()
    problem = generate_plant(n_jobs, seed=seed, **plant_options)
    t0 = time.monotonic()
    plan = solve(problem, options=options_cls(time_limit=time_limit, workers=workers))
    wall = time.monotonic() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump({"plan": plan, "wall": wall, "peak_kb": peak_kb}, handle)


def solve_in_child(n_jobs, seed, time_limit, workers, plant_options=None):
    """Run the engine in a fresh child process (which generates the plant with
    ``plant_options``); returns (plan, wall seconds, peak MB, error)."""
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "plan.json")
        proc = ctx.Process(
            target=_child, args=(n_jobs, seed, time_limit, workers, out, plant_options or {})
        )
        proc.start()
        proc.join()
        if proc.exitcode != 0 or not os.path.exists(out):
            return None, None, None, f"engine process failed (exit code {proc.exitcode})"
        with open(out, encoding="utf-8") as handle:
            data = json.load(handle)
    return data["plan"], data["wall"], data["peak_kb"] / 1024.0, None


HEADERS = [
    "plant",
    "jobs",
    "ops",
    "limit s",
    "method",
    "status",
    "valid",
    "first plan s",
    "wall s",
    "objective",
    "w. tardiness",
    "late jobs",
    "makespan d",
    "chg min",
    "peak MB",
]


def _kpi_cells(k):
    """The objective columns of a row (empty without a plan)."""
    return [
        k and k["objective"],
        k and k["weighted_tardiness"],
        k and k["late_jobs"],
        k and f"{k['makespan'] / 1440:.1f}",
        k and k["changeover_minutes"],
    ]


def _baseline_row(problem, label, n_jobs, n_ops):
    """The generator's job-by-job list schedule, the reference of every size."""
    t0 = time.monotonic()
    base = witness_plan(problem)
    base_s = time.monotonic() - t0
    valid = "yes" if not validate(problem, base) else "NO"
    k = objective_of(problem, base)
    return [label, n_jobs, n_ops, "-", "list schedule", base["status"], valid, f"{base_s:.1f}",
            f"{base_s:.1f}", *_kpi_cells(k), "-"]  # fmt: skip


def _first_plan_check(args, plant, n_jobs, n_ops, rows, verdicts):
    """Direct proof of the first-plan target: a separate solve limited to it must return a
    valid plan."""
    label, options, problem = plant
    target = args.first_plan_target
    print(f"  engine: {target:.0f} s check ...", file=sys.stderr, flush=True)
    quick, quick_wall, quick_mb, error = solve_in_child(
        n_jobs, args.seed, target, args.workers, options
    )
    quick_ok = not error and bool(quick.get("operations")) and not validate(problem, quick)
    kq = objective_of(problem, quick) if quick_ok else None
    rows.append(
        [label, n_jobs, n_ops, fmt_num(target, ".0f"), "engine (check)",
         error or quick.get("status"), "yes" if quick_ok else "NO", "-",
         fmt_num(quick_wall, ".1f"), *_kpi_cells(kq), fmt_num(quick_mb, ".0f")]
    )  # fmt: skip
    verdicts.append(
        (
            quick_ok and quick_wall <= target,
            f"{n_jobs} jobs {label}: a solve limited to {target:.0f} s returns a valid plan "
            f"(wall {fmt_num(quick_wall, '.1f')} s)",
        )
    )


def _engine_size(args, plant, n_jobs, n_ops, limit, first_size, rows, curves, verdicts):
    """Solve one plant ``(label, options, problem)`` with the engine (child process), check
    and record it."""
    label, options, problem = plant
    print(f"  engine: {limit:.0f} s, {args.workers} workers ...", file=sys.stderr, flush=True)
    plan, wall, peak_mb, error = solve_in_child(n_jobs, args.seed, limit, args.workers, options)
    if error:
        rows.append([label, n_jobs, n_ops, limit, "engine", "ERROR", error] + [""] * 8)
        verdicts.append((False, f"{n_jobs} jobs {label}: engine returned a plan"))
        return
    violations = validate(problem, plan)
    has_plan = bool(plan.get("operations"))
    valid = has_plan and not violations
    progress = plan.get("progress") or []
    first = progress[0][0] if progress else (wall if has_plan else None)
    k = objective_of(problem, plan) if has_plan else None
    rows.append(
        [label, n_jobs, n_ops, fmt_num(limit, ".0f"), "engine", plan.get("status"),
         "yes" if valid else ("NO" if has_plan else "no plan"), fmt_num(first, ".1f"),
         f"{wall:.1f}", *_kpi_cells(k), f"{peak_mb:.0f}"]
    )  # fmt: skip
    if violations:
        print(f"  INVALID engine plan: {violations[:3]}", file=sys.stderr)
    curves.append((f"{n_jobs} {label}", progress))
    if not first_size:
        verdicts.append(
            (
                valid and wall <= limit,
                f"{n_jobs} jobs {label}: valid plan within {limit:.0f} s (wall {wall:.1f} s)",
            )
        )
        return
    verdicts.append(
        (
            valid and first is not None and first <= args.first_plan_target,
            f"{n_jobs} jobs {label}: first plan <= {args.first_plan_target:.0f} s "
            f"(first point of the engine's progress: {fmt_num(first, '.1f')} s)",
        )
    )
    if not args.no_first_plan_check:
        _first_plan_check(args, plant, n_jobs, n_ops, rows, verdicts)
    verdicts.append(
        (
            peak_mb <= args.memory_target_gb * 1024,
            f"{n_jobs} jobs {label}: peak memory <= {args.memory_target_gb:.0f} GB "
            f"(measured {peak_mb:.0f} MB)",
        )
    )


def _report(args, rows, curves, verdicts):
    print(
        f"\nPlant benchmark (seed {args.seed}), {args.workers} workers, machine with "
        f"{os.cpu_count()} CPUs. Objective recomputed here with the problem's weights "
        "(1000 x weighted tardiness + makespan + changeover minutes); 'list schedule' is the "
        "generator's job-by-job constructive plan."
    )
    print_table(HEADERS, rows)
    for n_jobs, progress in curves:
        points = ", ".join(f"{s:.1f}s: {fmt_num(o)}" for s, o in progress[:12])
        more = f" (+{len(progress) - 12} more)" if len(progress) > 12 else ""
        print(f"objective over time, {n_jobs} (engine objective): {points or '-'}{more}")
    if verdicts:
        print("\nTargets:")
        for ok, text in verdicts:
            print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "headers": HEADERS,
                    "rows": rows,
                    "progress": {str(n): p for n, p in curves},
                    "targets": [{"pass": bool(ok), "target": text} for ok, text in verdicts],
                },
                handle,
                indent=1,
            )


PLANT_OPTIONS = ("molds", "operators", "maintenance")


def plant_variants(text):
    """``[(label, generate_plant options)]``: the plain plant, and with ``--plant-options``
    the plant with those options beside it (the plain plant is the reference)."""
    names = [name.strip() for name in (text or "").split(",") if name.strip()]
    unknown = sorted(set(names) - set(PLANT_OPTIONS))
    if unknown:
        raise ValueError(f"unknown plant option(s) {unknown} (known: {list(PLANT_OPTIONS)})")
    variants = [("plain", {})]
    if names:
        variants.append(("+".join(names), dict.fromkeys(names, True)))
    return variants


def run(args):
    sizes = [int(x) for x in str(args.jobs).split(",") if x.strip()]
    limits = [
        args.time_limit
        if args.time_limit is not None
        else DEFAULT_LIMITS[min(i, len(DEFAULT_LIMITS) - 1)]
        for i in range(len(sizes))
    ]
    solve, reason = engine_api()
    if solve is None:
        print(f"NOTE: {reason}; running the generator baseline only", file=sys.stderr)
    rows, curves, verdicts = [], [], []
    variants = plant_variants(args.plant_options)
    for index, (n_jobs, limit) in enumerate(zip(sizes, limits, strict=True)):
        for label, options in variants:
            t0 = time.monotonic()
            problem = generate_plant(n_jobs, seed=args.seed, **options)
            gen_s = time.monotonic() - t0
            n_ops = sum(len(j["operations"]) for j in problem["jobs"])
            print(
                f"plant {label} {n_jobs} jobs / {n_ops} operations generated in {gen_s:.1f} s",
                file=sys.stderr,
                flush=True,
            )
            rows.append(_baseline_row(problem, label, n_jobs, n_ops))
            if solve is not None:
                plant = (label, options, problem)
                _engine_size(args, plant, n_jobs, n_ops, limit, index == 0, rows, curves, verdicts)
    _report(args, rows, curves, verdicts)
    return 0

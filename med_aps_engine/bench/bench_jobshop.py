"""Job-shop benchmark: engine vs the textbook CP-SAT model vs the greedy baseline (jsplib).

Every plan of every method is checked by the independent validator
(``med_aps_engine.validator.validate_benchmark``); an invalid plan counts as no result.
"""

import json
import os
import re
import sys
import time

from med_aps_engine.formats import benchmark_summary, read_benchmark
from med_aps_engine.validator import validate_benchmark

from . import (
    data_dir,
    engine_api,
    expand_selection,
    fmt_num,
    gap,
    load_bks,
    mean,
    print_table,
)
from .baselines import greedy, textbook_jobshop

FAMILY_ORDER = ("ft", "la", "abz", "orb", "ta")
# (family label, target description, maximum engine mean gap %, instances in the family)
TARGETS = (
    ("ta01-10", "engine mean gap <= 0.3%", 0.3, 10),
    ("ta11-20", "engine mean gap <= 1.0% (scale and quality)", 1.0, 10),
    ("ta21-30", "engine mean gap <= 2.5%", 2.5, 10),
    ("ta21-30", "engine mean gap <= 1.0% (scale and quality)", 1.0, 10),
)


def family_of(name):
    prefix = re.match(r"[a-z]+", name).group(0)
    if prefix == "ta":
        number = int(name[2:])
        low = (number - 1) // 10 * 10 + 1
        return f"ta{low:02d}-{low + 9:02d}"
    return prefix


def jsplib_instances(data):
    folder = os.path.join(data, "jsplib", "instances")
    names = os.listdir(folder)

    def key(name):
        prefix = re.match(r"[a-z]+", name).group(0)
        order = FAMILY_ORDER.index(prefix) if prefix in FAMILY_ORDER else len(FAMILY_ORDER)
        return (order, prefix, int(re.sub(r"\D", "", name) or 0))

    return {name: os.path.join(folder, name) for name in sorted(names, key=key)}


def run_method(label, fmt, path, problem, fn, log=sys.stderr):
    """Run one method, validate its plan; returns a result dict."""
    t0 = time.monotonic()
    try:
        plan = fn(problem)
    except Exception as exc:  # a crashing method must not stop the whole benchmark
        print(f"    {label}: ERROR {type(exc).__name__}: {exc}", file=log, flush=True)
        return {"makespan": None, "status": "ERROR", "error": str(exc), "seconds": None}
    seconds = time.monotonic() - t0
    summary = benchmark_summary(problem, plan, fmt)
    violations = validate_benchmark(fmt, path, summary)
    result = {
        "makespan": summary["makespan"],
        "status": summary["status"],
        "bound": summary["bound"],
        "seconds": round(seconds, 2),
        "violations": violations[:5],
    }
    if violations:
        result["makespan"] = None
        result["status"] = "INVALID"
        print(f"    {label}: INVALID plan: {violations[0]}", file=log, flush=True)
    elif summary["makespan"] is None:
        result["status"] = summary["status"] or "NO PLAN"
    return result


def methods_for(args, textbook=True):
    """``[(label, fn(problem) -> plan)]`` for the engine and the baselines."""
    solve, options_cls = engine_api()
    methods = []
    if solve is None:
        print(f"NOTE: {options_cls}; running the baselines only", file=sys.stderr, flush=True)
        methods.append(("engine", None))
    else:

        def engine(problem):
            return solve(
                problem, options=options_cls(time_limit=args.time_limit, workers=args.workers)
            )

        methods.append(("engine", engine))
    if textbook:
        methods.append(
            (
                "textbook",
                lambda problem: textbook_jobshop(problem, args.time_limit, args.workers),
            )
        )
    methods.append(("greedy", greedy))
    return methods


def run(args):
    data = data_dir(args.data)
    available = jsplib_instances(data)
    selected = expand_selection(args.instances, list(available))
    bks = load_bks(os.path.join(data, "jsplib", "scheduleopt", "bks.json"))
    methods = methods_for(args)
    print(
        f"job shop: {len(selected)} instances, time limit {args.time_limit} s, "
        f"{args.workers} workers, {os.cpu_count()} CPUs",
        file=sys.stderr,
        flush=True,
    )
    results = {}
    for name in selected:
        path = available[name]
        problem = read_benchmark("jsplib", path)
        best = bks.get(f"{name}js" if name.startswith("ta") else name)
        res = {"bks": best}
        for label, fn in methods:
            if fn is None:
                res[label] = {"makespan": None, "status": "n/a"}
                continue
            res[label] = run_method(label, "jsplib", path, problem, fn)
        results[name] = res
        print(
            f"  {name}: bks {best} "
            + " ".join(
                f"{lb} {res[lb].get('makespan')} ({res[lb].get('status')})" for lb, _ in methods
            ),
            file=sys.stderr,
            flush=True,
        )
    labels = [label for label, _ in methods]
    report(results, labels, args, family_of, TARGETS, compare_textbook=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)
    return 0


def report(results, labels, args, family_fn, targets, compare_textbook):
    """Print the one table (instances, family means) and the targets with PASS/FAIL."""
    headers = ["instance", "BKS"]
    for label in labels:
        headers += [f"{label}", f"{label} gap%"]
    headers.append("engine status")
    rows = []
    families = {}
    for name, res in results.items():
        families.setdefault(family_fn(name), []).append(name)
        row = [name, fmt_num(res["bks"])]
        for label in labels:
            mk = res[label].get("makespan")
            row += [
                fmt_num(mk) if mk is not None else res[label].get("status"),
                fmt_num(gap(mk, res["bks"]), ".2f"),
            ]
        row.append(res["engine"].get("status"))
        rows.append(row)
    fam_means = {}
    for fam, names in families.items():
        row = [f"mean {fam} ({len(names)})", ""]
        fam_means[fam] = {}
        for label in labels:
            gaps = [gap(results[n][label].get("makespan"), results[n]["bks"]) for n in names]
            complete = all(g is not None for g in gaps)
            m = mean(gaps) if complete else None
            fam_means[fam][label] = m
            row += ["", fmt_num(m, ".2f") if complete else "incomplete"]
        row.append("")
        rows.append(row)
    print(
        f"\nTime limit {args.time_limit} s, {args.workers} workers, machine with "
        f"{os.cpu_count()} CPUs. gap% = (makespan - BKS) / BKS."
    )
    print_table(headers, rows)
    verdicts = []
    for fam, text, threshold, expected in targets:
        if fam not in fam_means:
            continue
        m = fam_means[fam].get("engine")
        ok = m is not None and m <= threshold
        count = len(families[fam])
        partial = f" (only {count}/{expected} instances run)" if count < expected else ""
        verdicts.append((f"{fam}: {text}{partial}", fmt_num(m, ".2f"), ok))
    if compare_textbook and "textbook" in labels:
        for fam, means in fam_means.items():
            e, t = means.get("engine"), means.get("textbook")
            ok = e is not None and t is not None and (e < t or (e == 0 and t == 0))
            verdicts.append(
                (
                    f"{fam}: engine mean gap below textbook ({fmt_num(t, '.2f')}%)"
                    + " (both optimal counts as pass)",
                    fmt_num(e, ".2f"),
                    ok,
                )
            )
    if verdicts:
        print("\nTargets:")
        for text, value, ok in verdicts:
            print(f"  {'PASS' if ok else 'FAIL'}  {text}: engine {value}%")
    return verdicts

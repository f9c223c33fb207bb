"""RCPSP benchmark (PSPLIB j30, j60, j120): the engine's RCPSP model against the textbook
CP-SAT cumulative model, same time limit and workers, same run. Every schedule is checked
by the independent validator (``validate_rcpsp``); the gap is to the optimum (j30) or to the best
known upper bound (``rcpsp/bounds.json``)."""

import json
import os
import re
import sys

from med_aps_engine.rcpsp import read_rcpsp, solve_rcpsp, solve_textbook
from med_aps_engine.validator import validate_rcpsp

from . import BenchDataMissing, data_dir, fmt_num, gap, mean, print_table

SETS = ("j30", "j60", "j120")
# instance 1 of every copied group of j30 and j120
DEFAULT_SELECTION = "j30:1,j120:1"
TARGETS = {"j30": 0.1, "j120": 3.0}
_NAME = re.compile(r"^(j\d+)_(\d+)_(\d+)$")


def rcpsp_instances(data):
    """``{name: path}`` of the copied ``.rcp`` files, ordered by set, group, instance."""
    root = os.path.join(data, "rcpsp", "instances")
    if not os.path.isdir(root):
        raise BenchDataMissing(f"RCPSP data not found at {os.path.abspath(root)}")
    found = []
    for set_name in SETS:
        folder = os.path.join(root, set_name)
        if not os.path.isdir(folder):
            continue
        for file in os.listdir(folder):
            match = _NAME.match(os.path.splitext(file)[0])
            if match and file.endswith(".rcp"):
                key = (SETS.index(match.group(1)), int(match.group(2)), int(match.group(3)))
                found.append((key, match.group(0), os.path.join(folder, file)))
    return {name: path for _key, name, path in sorted(found)}


def select(spec, available):
    """``j30_1_1,j120_5_3`` (names), ``j30`` (a whole set) or ``j30:1`` (instance 1 of every
    group of the set); unknown names raise ``ValueError``."""
    chosen = []
    for part in (p.strip() for p in (spec or DEFAULT_SELECTION).split(",")):
        if not part:
            continue
        if part in available:
            names = [part]
        elif ":" in part:
            set_name, _colon, index = part.partition(":")
            names = [
                n for n in available if n.startswith(f"{set_name}_") and n.endswith(f"_{index}")
            ]
        else:
            names = [n for n in available if n.startswith(f"{part}_")]
        if not names:
            raise ValueError(f"unknown RCPSP instance or set {part!r}")
        chosen += [n for n in names if n not in chosen]
    return chosen


def load_bounds(data):
    with open(os.path.join(data, "rcpsp", "bounds.json"), encoding="utf-8") as handle:
        return {row["instance"]: row for row in json.load(handle)}


def run_one(fn, problem, path):
    result = fn(problem)
    violations = validate_rcpsp(path, result) if result["activities"] else ["no schedule"]
    return {
        "makespan": result["makespan"] if not violations else None,
        "bound": result["bound"],
        "status": result["status"] if not violations else f"INVALID: {violations[0]}",
        "seconds": result["solve_seconds"],
    }


def run(args):
    data = data_dir(args.data)
    available = rcpsp_instances(data)
    selected = select(args.instances, available)
    bounds = load_bounds(data)
    methods = (
        ("engine", lambda p: solve_rcpsp(p, args.time_limit, args.workers)),
        ("textbook", lambda p: solve_textbook(p, args.time_limit, args.workers)),
    )
    print(
        f"RCPSP: {len(selected)} instances, time limit {args.time_limit} s, "
        f"{args.workers} workers, {os.cpu_count()} CPUs",
        file=sys.stderr,
        flush=True,
    )
    results = {}
    for name in selected:
        problem = read_rcpsp(available[name])
        row = bounds.get(name, {})
        res = {"ub": row.get("ub"), "lb": row.get("lb"), "optimal": row.get("optimal")}
        for label, fn in methods:
            res[label] = run_one(fn, problem, available[name])
        results[name] = res
        print(
            f"  {name}: best known {res['ub']} "
            + " ".join(f"{lb} {res[lb]['makespan']} ({res[lb]['status']})" for lb, _ in methods),
            file=sys.stderr,
            flush=True,
        )
    report(results, args)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)
    return 0


def report(results, args):
    """One table (instances, then the mean per set) and the targets with PASS/FAIL."""
    labels = ("engine", "textbook")
    headers = ["instance", "best known"]
    for label in labels:
        headers += [label, f"{label} gap%", f"{label} proven"]
    rows = []
    per_set = {}
    for name, res in results.items():
        per_set.setdefault(name.split("_")[0], []).append(name)
        row = [name, fmt_num(res["ub"])]
        for label in labels:
            r = res[label]
            row += [
                fmt_num(r["makespan"]) if r["makespan"] is not None else r["status"],
                fmt_num(gap(r["makespan"], res["ub"]), ".2f"),
                "yes" if r["status"] == "OPTIMAL" else "",
            ]
        rows.append(row)
    means = {}
    for set_name, names in per_set.items():
        row = [f"mean {set_name} ({len(names)})", ""]
        means[set_name] = {}
        for label in labels:
            gaps = [gap(results[n][label]["makespan"], results[n]["ub"]) for n in names]
            complete = all(g is not None for g in gaps)
            means[set_name][label] = mean(gaps) if complete else None
            proven = sum(1 for n in names if results[n][label]["status"] == "OPTIMAL")
            row += ["", fmt_num(means[set_name][label], ".2f") if complete else "incomplete"]
            row.append(str(proven))
        rows.append(row)
    print(
        f"\nTime limit {args.time_limit} s, {args.workers} workers, machine with "
        f"{os.cpu_count()} CPUs. gap% = (makespan - best known) / best known "
        f"(j30: the optimum)."
    )
    print_table(headers, rows)
    print("\nTargets:")
    for set_name, threshold in TARGETS.items():
        if set_name not in means:
            continue
        e, t = means[set_name]["engine"], means[set_name]["textbook"]
        ok = e is not None and e <= threshold
        print(
            f"  {'PASS' if ok else 'FAIL'}  {set_name}: engine mean gap <= {threshold}%: "
            f"engine {fmt_num(e, '.2f')}%"
        )
        below = e is not None and t is not None and (e < t or e == t == 0)
        print(
            f"  {'PASS' if below else 'FAIL'}  {set_name}: engine mean gap below textbook "
            f"({fmt_num(t, '.2f')}%): engine {fmt_num(e, '.2f')}%"
        )

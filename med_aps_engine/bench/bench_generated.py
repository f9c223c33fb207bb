"""Generated job shops beyond the public instances: engine vs the textbook CP-SAT model.

``med-aps bench jobshop --generated 30x15,50x15,50x20,100x20 --seeds 1,2,3`` generates
Taillard-like shops (each job visits every machine once in a random order, durations uniform
in 1..99; deterministic per size and seed), writes each in the JSPLIB text format and solves
it with the engine and the textbook model, every plan checked by the validator. No best known
makespan exists for them: the gap is to the engine's own lower bound (the plan's ``bound``),
the same bound for both methods.
"""

import json
import os
import random
import sys
import tempfile

from med_aps_engine.formats import read_benchmark

from . import fmt_num, mean, print_table
from .bench_jobshop import methods_for, run_method

DEFAULT_SIZES = "30x15,50x15,50x20,100x20"
DEFAULT_SEEDS = "1,2,3"


def generate_jobshop(n_jobs, n_machines, seed):
    """The instance in the JSPLIB text format (a Taillard-like random shop)."""
    rng = random.Random(f"jobshop/{n_jobs}x{n_machines}/{seed}")
    lines = [f"{n_jobs} {n_machines}"]
    for _job in range(n_jobs):
        order = list(range(n_machines))
        rng.shuffle(order)
        lines.append(" ".join(f"{m} {rng.randint(1, 99)}" for m in order))
    return "\n".join(lines) + "\n"


def parse_sizes(text):
    sizes = []
    for item in text.split(","):
        jobs, _x, machines = item.strip().partition("x")
        if not (jobs.isdigit() and machines.isdigit()):
            raise ValueError(f"--generated: {item!r} is not JOBSxMACHINES (e.g. 50x20)")
        sizes.append((int(jobs), int(machines)))
    return sizes


def _gap_to(value, bound):
    if value is None or not bound:
        return None
    return 100.0 * (value - bound) / bound


def run(args):
    sizes = parse_sizes(args.generated or DEFAULT_SIZES)
    seeds = [int(s) for s in (args.seeds or DEFAULT_SEEDS).split(",") if s.strip()]
    methods = [(label, fn) for label, fn in methods_for(args) if label != "greedy"]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n_jobs, n_machines in sizes:
            for seed in seeds:
                name = f"{n_jobs}x{n_machines}-s{seed}"
                path = os.path.join(tmp, name)
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(generate_jobshop(n_jobs, n_machines, seed))
                problem = read_benchmark("jsplib", path)
                res = {
                    label: run_method(label, "jsplib", path, problem, fn) for label, fn in methods
                }
                results[name] = res
                print(
                    f"  {name}: "
                    + " ".join(
                        f"{lb} {res[lb].get('makespan')} (bound {res[lb].get('bound')})"
                        for lb, _ in methods
                    ),
                    file=sys.stderr,
                    flush=True,
                )
    report(results, [label for label, _ in methods], args)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)
    return 0


def report(results, labels, args):
    headers = ["instance", "engine bound"]
    for label in labels:
        headers += [label, f"{label} gap%"]
    rows = []
    by_size = {}
    for name, res in results.items():
        bound = res["engine"].get("bound")
        row = [name, fmt_num(bound)]
        for label in labels:
            mk = res[label].get("makespan")
            g = _gap_to(mk, bound)
            by_size.setdefault(name.split("-")[0], {}).setdefault(label, []).append(g)
            row += [fmt_num(mk) if mk is not None else res[label].get("status"), fmt_num(g, ".2f")]
        rows.append(row)
    for size, gaps in by_size.items():
        row = [f"mean {size} ({len(gaps[labels[0]])})", ""]
        for label in labels:
            complete = all(g is not None for g in gaps[label])
            row += ["", fmt_num(mean(gaps[label]), ".2f") if complete else "incomplete"]
        rows.append(row)
    print(
        f"\nGenerated job shops, time limit {args.time_limit} s, {args.workers} workers, "
        f"machine with {os.cpu_count()} CPUs. gap% = (makespan - engine bound) / engine bound."
    )
    print_table(headers, rows)

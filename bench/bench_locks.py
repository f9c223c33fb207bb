"""Plans of generated plants with some later steps locked, made from scratch.

A planner locks a step where a plan put it (a sterilization booked, a test date promised)
and the plant is planned again without that plan. A valid plan exists (the one the locks
come from); the benchmark counts, per dispatching rule, the passes whose plan keeps every
lock, and the solves that return a plan:

    python bench/bench_locks.py --seeds 0-40 --share 0.05 --time-limit 3

Each seed generates a plant of 30, 60 or 120 orders (``generate_plant``), plans it with rule
``due`` and locks each later step (one with a predecessor, not in a batch) with probability
``--share`` at the resource and start that plan gave it. Engine only; no Odoo.
"""

import argparse
import copy
import random
import sys

# the repository root, after PYTHONPATH (which may name another copy of the engine)
sys.path.append(__file__.rsplit("/", 2)[0])

from med_aps_engine import SolveOptions, solve, validate  # noqa: E402
from med_aps_engine.heuristic import ATC_RULES, Dispatcher, HeuristicFailure, dispatch  # noqa: E402
from med_aps_engine.plan import build_plan  # noqa: E402
from med_aps_engine.plantgen import generate_plant  # noqa: E402
from med_aps_engine.problem import load_problem  # noqa: E402

RULES = ("due", "head", "tail", *ATC_RULES)


def locked_plant(seed, share):
    """The plant of ``seed`` with a ``share`` of its later steps locked where rule ``due``
    planned them, and whether that plan (which keeps every lock) is valid."""
    rng = random.Random(seed)
    problem = generate_plant(rng.choice([30, 60, 120]), seed=seed)
    loaded = load_problem(problem)
    assigns, _ok = dispatch(loaded, "due")
    plan = build_plan(loaded, assigns, "FEASIBLE", "heuristic", 0, progress=[])
    source_valid = not validate(problem, plan)
    locked = copy.deepcopy(problem)
    for job in locked["jobs"]:
        for operation in job["operations"]:
            a = assigns[operation["id"]]
            if operation.get("predecessors") and a.batch is None and rng.random() < share:
                operation["locked"] = {"resource": a.resource, "start": a.start}
    return locked, source_valid


def outcome(problem, loaded, rule):
    """``valid``, ``breaks a rule`` or ``no plan`` for one pass of ``rule``."""
    try:
        assigns, _ok = Dispatcher(loaded).run(rule)
    except HeuristicFailure:
        return "no plan"
    plan = build_plan(loaded, assigns, "FEASIBLE", "heuristic", 0, progress=[])
    return "breaks a rule" if validate(problem, plan) else "valid"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-40", help="first-last (last excluded)")
    parser.add_argument("--share", type=float, default=0.05, help="share of later steps locked")
    parser.add_argument("--time-limit", type=float, default=3.0, help="each solve (s)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    first, last = (int(x) for x in args.seeds.split("-"))
    counts = {name: {} for name in (*RULES, "solve")}
    plants = 0
    for seed in range(first, last):
        problem, source_valid = locked_plant(seed, args.share)
        if not source_valid:
            continue
        plants += 1
        loaded = load_problem(problem)
        for rule in RULES:
            result = outcome(problem, loaded, rule)
            counts[rule][result] = counts[rule].get(result, 0) + 1
        plan = solve(problem, SolveOptions(time_limit=args.time_limit, workers=2, seed=seed))
        result = "valid" if plan["operations"] else "no plan"
        counts["solve"][result] = counts["solve"].get(result, 0) + 1
    print("Plants with a valid plan that keeps their locks: %d" % plants)
    print("| pass | valid | breaks a rule | no plan |")
    print("|---|---:|---:|---:|")
    for name, row in counts.items():
        cells = [str(row.get(key, 0)) for key in ("valid", "breaks a rule", "no plan")]
        print("| %s | %s |" % (name, " | ".join(cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

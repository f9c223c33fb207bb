"""The distance to the bound a planner reads on the run form, on a planned Odoo database:
the bounds before (paths and loads; working-time paths; queues from each operation's own
head) against the engine's bound, in one run.

Run on a database planned by ``bench_odoo_aps.py --keep`` (its ``<db>_bench_aps`` copy: 1,000
open orders, 5,000 work orders and the plan of a med_aps run):

    python bench/bench_bound_odoo.py -d aps_bench_bench_aps -- \\
        --db_host HOST --db_user USER --addons-path ADDONS_PATH

The latest finished run's problem is rebuilt at its origin and its written plan read back
from the work orders (``PlanReader``, checked by the validator); the plan's objective is
computed from it (weighted lateness, plan end, changeovers: the plan moves nothing against
itself) and set against both bounds. Nothing is written.
"""

import argparse
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])

from bench_bound import calendar_path_bound, heads_queue_bound, reference_bound  # noqa: E402
from bench_odoo_aps import split_odoo_args  # noqa: E402


def parse_args(argv):
    own, odoo_args = split_odoo_args(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True, help="a planned database")
    return parser.parse_args(own), odoo_args


def plan_objective(problem, plan):
    """The engine objective of a plan read back from Odoo (no moves against itself)."""
    w = problem.objective
    finish = {}
    for row in plan["operations"]:
        job = problem.operations[row["op"]].job
        finish[job] = max(finish.get(job, 0), row["end"])
    lateness = sum(
        job.weight * max(0, finish[jid] - job.due)
        for jid, job in problem.jobs.items()
        if jid in finish and job.due is not None
    )
    flow = sum(finish[jid] - job.release for jid, job in problem.jobs.items() if jid in finish)
    changeovers = sum(row.get("changeover_minutes") or 0 for row in plan["operations"])
    return (
        w["weighted_tardiness"] * lateness
        + w["makespan"] * max(finish.values(), default=0)
        + w["flow_time"] * flow
        + w["changeover"] * changeovers
    )


def measure(database):
    import odoo
    from odoo.modules.registry import Registry

    from odoo.addons.med_aps.services.plan_reader import PlanReader
    from odoo.addons.med_aps.services.problem_builder import ProblemBuilder

    from med_aps_engine import validate
    from med_aps_engine.bound import lower_bound
    from med_aps_engine.problem import load_problem

    registry = Registry(database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        run = env["med.aps.run"].search([("state", "=", "done")], order="id desc", limit=1)
        raw, scope = ProblemBuilder(run, origin=run.plan_origin).build()
        plan = PlanReader(scope).read_plan()
        violations = validate(raw, plan)
        problem = load_problem(raw)
        objective = plan_objective(problem, plan)
        reference = reference_bound(problem)
        calendar = calendar_path_bound(problem)
        heads = heads_queue_bound(problem)
        start = time.process_time()
        queueing = lower_bound(problem)
        seconds = time.process_time() - start
        about = (run.name, run.time_limit, run.gap)
        cr.rollback()
    bounds = (
        ("paths and loads (reference)", reference),
        ("paths on working time", calendar),
        ("+ queues from each operation's head (the bound before)", heads),
        ("+ whole cycles and upstream ranks (the engine's bound)", queueing),
    )
    return about, len(problem.operations), violations, objective, bounds, seconds


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    from odoo.tools import config

    config.parse_config(["-d", args.database, *odoo_args])
    about, n_ops, violations, objective, bounds, seconds = measure(args.database)
    print(
        "Run %s (%s s, reported gap %.3f): %d operations, plan read back with %d violations"
        % (*about, n_ops, len(violations))
    )
    print("| bound | value | gap to the plan's objective %s |" % f"{objective:,.0f}")
    print("|---|---:|---:|")
    for label, value in bounds:
        if value > objective + 1e-6:
            raise AssertionError("a bound above the plan's objective is no bound: %s" % label)
        print("| %s | %s | %.3f |" % (label, f"{value:,.0f}", (objective - value) / objective))
    print("The engine's bound took %.2f s of CPU" % seconds)
    ok = (objective - bounds[-1][1]) / objective <= 0.5
    print("Target: gap <= 0.5: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

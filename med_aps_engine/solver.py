"""``solve``: heuristic first, then CP-SAT (monolithic or decomposed), validated plan out."""

import time
from dataclasses import dataclass

from .heuristic import HeuristicFailure, dispatch
from .model import STATUS_NAMES, JobShopModel, PlantModel, Recorder, solver_parameters
from .plan import build_plan, empty_plan
from .problem import load_problem
from .schedule import evaluate


class EngineError(RuntimeError):
    """Internal error: the engine produced a plan that does not validate."""


@dataclass
class SolveOptions:
    time_limit: float = 30.0
    workers: int = 2
    seed: int = 0
    log: bool = False
    progress: object = None  # callable(fraction: float, message: str)
    max_model_operations: int = 200


class _Run:
    """State of one ``solve`` call: clock, progress log, incumbent."""

    def __init__(self, problem, options):
        self.p = problem
        self.o = options
        self.t0 = time.monotonic()
        self.progress = []  # (seconds, objective)
        self.best = None  # {op: Assign}
        self.best_obj = None
        self.method = "heuristic"
        self.last_report = -1.0

    def elapsed(self):
        return time.monotonic() - self.t0

    def remaining(self):
        return self.o.time_limit - self.elapsed()

    def report(self, message, force=False):
        """Call the progress callback (at most every 0.5 s unless ``force``)."""
        now = self.elapsed()
        if not force and now - self.last_report < 0.5:
            return
        self.last_report = now
        if self.o.progress is not None:
            fraction = min(1.0, self.elapsed() / max(self.o.time_limit, 1e-6))
            try:
                self.o.progress(fraction, message)
            except Exception:  # a broken progress callback must not lose the plan
                self.o.progress = None

    def offer(self, assigns, method):
        """Keep ``assigns`` if it improves the incumbent; returns True if kept."""
        obj = evaluate(self.p, assigns)["objective"]
        if self.best_obj is None or obj < self.best_obj:
            self.best, self.best_obj, self.method = assigns, obj, method
            self.progress.append((round(self.elapsed(), 3), obj))
            self.report(f"{method}: objective {obj}")
            return True
        return False


def _heuristic(run):
    """Several dispatching rules (fewer on big problems); keeps the best valid schedule."""
    p = run.p
    n = len(p.operations)
    has_due = p.objective["weighted_tardiness"] > 0 and any(
        j.due is not None for j in p.jobs.values()
    )
    rules = ["due", "head", "tail"] if has_due else ["tail", "head", "due"]
    if p.previous_plan:
        rules.insert(0, "previous")
    if n > 5000:
        rules = rules[:1]
    elif n > 1000:
        rules = rules[:2]
    errors = []
    budget = max(0.5, 0.15 * run.o.time_limit)
    best_rule = rules[0]
    for rule in rules:
        try:
            assigns, ok = dispatch(p, rule)
        except HeuristicFailure as exc:
            errors.append(str(exc))
            continue
        if ok and run.offer(assigns, "heuristic"):
            best_rule = rule
        if run.elapsed() > budget:
            break
    return errors, rules, best_rule


def _restarts(run, rules, best_rule, until):
    """Randomised dispatching (noisy priorities) until ``until`` seconds; keeps the best."""
    last = 0.0
    seed = 0
    while run.best is not None and run.elapsed() + last < until:
        t = time.monotonic()
        seed += 1
        rule = best_rule if seed % 3 else rules[seed % len(rules)]
        try:
            assigns, ok = dispatch(run.p, rule, seed=run.o.seed * 100003 + seed)
        except HeuristicFailure:
            break
        if ok and not run.offer(assigns, "heuristic"):
            run.report(f"dispatching restart {seed}: best objective {run.best_obj}")
        last = time.monotonic() - t


def _horizon(run):
    """Upper bound of the model's time variables: the problem horizon, tightened to the
    heuristic makespan plus half its span (at least a day) so calendars stay small."""
    p = run.p
    if run.best:
        mk = max(a.end for a in run.best.values())
        span = mk - min(0, *(a.start for a in run.best.values()))
        derived = mk + max(span // 2, 1440)
        return derived if p.horizon is None else min(p.horizon, derived)
    if p.horizon is not None:
        return p.horizon
    total = sum(max(p.work_minutes(o, md) for md in o.modes) for o in p.operations.values())
    release = max((op.release for op in p.operations.values()), default=0)
    return release + 4 * total + 10080


def _cp_sat_full(run):
    """One CP-SAT model over all operations with the incumbent as hint."""
    p = run.p
    limit = run.remaining()
    if limit <= 0.05:
        return None, None
    if p.is_pure_makespan:
        model = JobShopModel(p, hint=run.best, horizon=p.horizon)
        method = "cp-sat-jobshop"
        jobshop = True
    else:
        free = set(p.operations)
        model = PlantModel(p, free, {}, 0, _horizon(run), hint=run.best)
        method = "cp-sat"
        jobshop = False
    solver = solver_parameters(limit, run.o.workers, run.o.seed, run.o.log, jobshop=jobshop)
    offset = run.elapsed()

    def on_solution(seconds, value):
        value = value / model.scale
        value = int(value) if float(value).is_integer() else value
        run.progress.append((round(offset + seconds, 3), value))
        run.report(f"{method}: objective {value:g}")

    status = solver.Solve(model.m, Recorder(on_solution))
    name = STATUS_NAMES.get(status, "UNKNOWN")
    if status in (2, 4):  # FEASIBLE / OPTIMAL
        assigns = model.read(solver)
        bound = solver.BestObjectiveBound() / model.scale
        return (assigns, name, bound, method), name
    return None, name


def solve(problem, options: SolveOptions | None = None) -> dict:
    """Plan ``problem`` (schema dict); returns the plan dict (see docs/engine-schema.md).

    Raises ``ProblemError`` for bad input. Never returns a plan that fails ``validate``.
    """
    from .validator import validate

    options = options or SolveOptions()
    prob = load_problem(problem)
    raw = problem if isinstance(problem, dict) else prob.raw
    run = _Run(prob, options)
    run.report("checking problem and dispatching")
    errors, rules, best_rule = _heuristic(run)
    n = len(prob.operations)
    big = n > options.max_model_operations and not prob.is_pure_makespan
    if big:
        # on big problems noisy restarts of the dispatcher pay off more than early LNS
        _restarts(run, rules, best_rule, 0.6 * options.time_limit)
    elif n <= 300:
        _restarts(run, rules, best_rule, 0.05 * options.time_limit)
    heuristic_best = run.best
    heuristic_obj = run.best_obj
    status = "FEASIBLE" if run.best is not None else "UNKNOWN"
    bound = None
    cp_status = None
    if not big:
        result, cp_status = _cp_sat_full(run)
        if result is not None:
            assigns, name, bound_value, method = result
            if run.best is None or evaluate(prob, assigns)["objective"] <= run.best_obj:
                run.best, run.best_obj, run.method = (
                    assigns,
                    evaluate(prob, assigns)["objective"],
                    method,
                )
                status = name
                bound = bound_value
            elif name == "OPTIMAL":
                status = "FEASIBLE"
            if name == "OPTIMAL" and run.method.startswith("cp-sat"):
                status = "OPTIMAL"
    elif run.best is not None:
        from .decompose import improve

        improve(run)
    if run.best is None:
        status = cp_status if cp_status in ("INFEASIBLE", "MODEL_INVALID") else "UNKNOWN"
        message = "; ".join(errors) if errors else None
        run.report(f"no plan found ({status})", force=True)
        return empty_plan(status, run.method, run.elapsed(), message)

    plan = build_plan(
        prob, run.best, status, run.method, run.elapsed(), bound=bound, progress=run.progress
    )
    violations = validate(raw, plan)
    solver_failed = bool(violations) and run.best is not heuristic_best
    if solver_failed and heuristic_best is not None:
        run.best, run.best_obj = heuristic_best, heuristic_obj
        plan = build_plan(
            prob, heuristic_best, "FEASIBLE", "heuristic", run.elapsed(), progress=run.progress
        )
        plan["warning"] = "solver plan failed validation, heuristic plan returned: " + violations[0]
        violations = validate(raw, plan)
    if violations and not solver_failed:
        # only the dispatcher produced a schedule and it breaks a rule: no valid plan exists
        # or none was found in time (e.g. locks that contradict each other)
        status = cp_status if cp_status in ("INFEASIBLE", "MODEL_INVALID") else "UNKNOWN"
        run.report(f"no plan found ({status})", force=True)
        return empty_plan(
            status, "heuristic", run.elapsed(), "no valid plan found: " + violations[0]
        )
    if violations:
        raise EngineError(
            "internal error: the engine built a plan that fails validation: "
            + "; ".join(violations[:5])
        )
    run.report("done", force=True)
    return plan

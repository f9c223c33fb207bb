"""``solve``: heuristic first, then CP-SAT (monolithic or decomposed), validated plan out."""

import math
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from .bound import lower_bound
from .feed import closure_feed, fed_problem, idle_minutes
from .heuristic import (
    ATC_RULES,
    KEEP_RULES,
    REPAIR_RULES,
    SLIDE_LIMITS,
    SLIDE_MAX_MINUTES,
    SLIDE_WIDENINGS,
    Dispatcher,
    HeuristicFailure,
    dispatch,
    is_keep_rule,
    setup_rule,
    slide_rule,
    weighs_setups,
)
from .lns import JobShopLns, makespan
from .model import (
    CP_SAT_MARGIN,
    SOLUTION_STATUSES,
    JobShopModel,
    PlantModel,
    Recorder,
    solver_parameters,
)
from .plan import build_plan, empty_plan
from .problem import load_problem
from .schedule import (
    FORCED_REASONS,
    evaluate,
    followed_operations,
    forced_reason,
    moved_operations,
)
from .tabu import JobShopTabu
from .tabu import applicable as tabu_applicable


class EngineError(RuntimeError):
    """Internal error: the engine produced a plan that does not validate."""


class OptionError(ValueError):
    """A solve option is out of its range; the message names it and the range."""


MAX_TIME_LIMIT = 7 * 24 * 3600  # seconds: longer runs are a mistake, not a plan
MAX_WORKERS = 64
MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer
STOP_POLL_SECONDS = 0.25
# above this many operations a problem with named tools (moves, cycle limits) is decomposed
NAMED_TOOLS_MAX_MODEL_OPERATIONS = 100
# the share of the time limit the queueing relaxation of the lower bound may take
BOUND_SHARE = 0.1


@dataclass
class SolveOptions:
    """How ``solve`` runs (see docs/engine.md, "Solve options").

    ``should_stop`` is polled about every 0.25 s while the engine works; once it returns
    true the engine stops searching (CP-SAT included) and returns the best plan found so
    far with ``"stopped": true``, or an empty plan when none was found yet.
    """

    time_limit: float = 30.0
    workers: int = 2
    seed: int = 0
    log: bool = False
    progress: object = None  # callable(fraction: float, message: str)
    max_model_operations: int = 200
    should_stop: object = None  # callable() -> bool
    # repair: None (plan the whole problem) or operation ids known to be disrupted; the
    # search then stays in their neighbourhood and in that of what the kept previous plan
    # had to move (see docs/engine.md, "Neighbourhood repair")
    neighbourhood: object = None

    def __post_init__(self):
        limit = self.time_limit
        if isinstance(limit, bool) or not isinstance(limit, (int, float)):
            raise OptionError(f"time_limit: expected seconds, got {limit!r}")
        if not math.isfinite(limit) or not 0 < limit <= MAX_TIME_LIMIT:
            raise OptionError(
                f"time_limit: {limit!r} seconds is outside (0, {MAX_TIME_LIMIT}] (7 days)"
            )
        workers = self.workers
        if isinstance(workers, bool) or not isinstance(workers, int):
            raise OptionError(f"workers: expected a whole number, got {workers!r}")
        if not 1 <= workers <= MAX_WORKERS:
            raise OptionError(f"workers: {workers} is outside [1, {MAX_WORKERS}]")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise OptionError(f"seed: expected a whole number, got {self.seed!r}")
        if not 0 <= self.seed <= MAX_SEED:
            raise OptionError(f"seed: {self.seed} is outside [0, {MAX_SEED}]")
        for name in ("progress", "should_stop"):
            value = getattr(self, name)
            if value is not None and not callable(value):
                raise OptionError(f"{name}: expected a function, got {value!r}")
        if self.neighbourhood is not None:
            seeds = self.neighbourhood
            if isinstance(seeds, (str, bytes, dict)) or not hasattr(seeds, "__iter__"):
                raise OptionError(
                    f"neighbourhood: expected a collection of operation ids, got {seeds!r}"
                )
            seeds = frozenset(seeds)
            if any(not isinstance(oid, str) for oid in seeds):
                raise OptionError(
                    f"neighbourhood: operation ids are strings, got {sorted(map(repr, seeds))}"
                )
            self.neighbourhood = seeds


class _Run:
    """State of one ``solve`` call: clock and deadline, progress log, incumbent.

    The deadline is ``t0 + time_limit`` with ``t0`` taken when ``solve`` is entered (loading
    included). ``reserve`` is the time kept for the final steps (plan output and validation),
    estimated from their measured cost on the first heuristic plan.
    """

    def __init__(self, problem, options, t0=None):
        self.p = problem
        self.o = options
        self.t0 = time.monotonic() if t0 is None else t0
        self.deadline = self.t0 + max(0.0, float(options.time_limit))
        self.reserve = 0.05
        self.progress = []  # (seconds, objective), strictly improving, plan's objective
        self.best = None  # {op: Assign}
        self.best_obj = None
        self.method = "heuristic"
        self.last_report = -1.0
        self.checked = None  # (assigns, plan, violations) of the plan checked early
        self.stopped = False
        self.last_stop_poll = -1.0
        self.forced_moves = None  # {op: reason} the kept previous plan had to move
        # (objective, order, assigns, keeps the previous plan) of the best first dispatching
        # passes that placed everything: the fallback when the best plan breaks a rule (see
        # ``solve`` and ``remember_pass``)
        self.first_passes = []
        # the first dispatching pass that placed everything but says its plan breaks a rule
        # (a maximum lag, a lock): what the empty plan's message names when no pass is valid
        self.broken_pass = None
        # neighbourhood repair: only around the disrupted operations (SolveOptions)
        self.repair = options.neighbourhood is not None and bool(problem.previous_plan)

    def elapsed(self):
        return time.monotonic() - self.t0

    def remaining(self):
        """Seconds left for optimisation (the final steps' reserve excluded); none once the
        caller asked to stop."""
        if self.stop_requested():
            return 0.0
        return self.deadline - self.reserve - time.monotonic()

    def stop_requested(self):
        """True once ``options.should_stop`` said so (asked at most every 0.25 s)."""
        if self.stopped or self.o.should_stop is None:
            return self.stopped
        now = time.monotonic()
        if now - self.last_stop_poll >= STOP_POLL_SECONDS:
            self.last_stop_poll = now
            self.stopped = bool(self.o.should_stop())
        return self.stopped

    @contextmanager
    def stoppable(self, solver):
        """While CP-SAT searches, stop it within a poll once the caller asks to stop."""
        if self.o.should_stop is None:
            yield
            return
        done = threading.Event()

        def watch():
            while not done.wait(STOP_POLL_SECONDS):
                if self.stop_requested():
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, name="med-aps-stop-watch", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()

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

    def remember_pass(self, objective, order, assigns, keeps_plan):
        """Keep a first dispatching pass as a fallback: the ``FALLBACK_PASSES`` best, and the
        best of the rules that do not keep the previous plan (each holds a whole plan: on
        50,000 operations some 20 MB)."""
        passes = sorted([*self.first_passes, (objective, order, assigns, keeps_plan)])
        kept = passes[:FALLBACK_PASSES]
        fresh = next((x for x in passes if not x[3]), None)
        if fresh is not None and all(x is not fresh for x in kept):
            kept.append(fresh)
        self.first_passes = kept

    def offer(self, assigns, method, objective=None):
        """Keep ``assigns`` if it improves the incumbent; returns True if kept.

        The objective is always the plan's (``schedule.evaluate``), so ``progress`` is a
        strictly decreasing series of the objective the plan reports."""
        obj = evaluate(self.p, assigns)["objective"] if objective is None else objective
        if self.best_obj is None or obj < self.best_obj:
            self.best, self.best_obj, self.method = assigns, obj, method
            self.progress.append((round(self.elapsed(), 3), obj))
            self.report(f"{method}: objective {obj}")
            return True
        return False


def _heuristic(run):
    """Several dispatching rules (as many as fit 15% of the time limit); keeps the best."""
    p = run.p
    has_due = p.objective["weighted_tardiness"] > 0 and any(
        j.due is not None for j in p.jobs.values()
    )
    # with due dates, the apparent tardiness cost rules follow least slack: once orders are
    # late, weight per minute of work decides (on an overloaded plant the better start)
    rules = ["due", *ATC_RULES, "head", "tail"] if has_due else ["tail", "head", "due"]
    if has_due and len({j.weight for j in p.jobs.values()}) > 1:
        # unequal weights: heavy orders first can win when few orders can be on time
        rules.insert(1 + len(ATC_RULES), "weighted_due")
    if weighs_setups(p):
        # units that take several setup families: the first rule and the apparent tardiness
        # cost rules again, keeping work on the unit set up for its family
        weighed = [rules[0], *(rule for rule in rules if rule in ATC_RULES)]
        rules[1:1] = [setup_rule(rule) for rule in weighed]
    if p.previous_plan:
        # the previous plan itself, kept wherever it still fits, is the first candidate
        # (what no longer fits goes into a gap, or shifts what follows it): every later plan
        # has to pay for the work orders it moves
        rules[:0] = KEEP_RULES
    regular = list(rules)
    if run.repair:
        # a repair starts from the previous plan only, and always weighs every way to keep
        # it: what no longer fits into the next gap (or the slot of work with slack), what
        # follows it shifted right, or shifted by minutes where it misses its slot by minutes
        rules = list(REPAIR_RULES)
    errors = []
    budget = max(0.5, 0.15 * run.o.time_limit)
    best_rule = rules[0]
    last = 0.0
    ranked = []  # (objective, rule) of the rules that gave a valid schedule

    def trial(rule):
        """One dispatching pass with ``rule``, offered and ranked; its dispatcher, or None
        when the rule failed."""
        nonlocal best_rule, last
        t = time.monotonic()
        dispatcher = Dispatcher(p)
        try:
            assigns, ok = dispatcher.run(rule)
        except HeuristicFailure as exc:
            errors.append(str(exc))
            return None
        finally:
            last = time.monotonic() - t
        if is_keep_rule(rule):
            # what made way for work that had to move (keep_evict) moved to improve the plan
            moved = moved_operations(p, assigns) - dispatcher.evicted
            if run.forced_moves is None or (ok and len(moved) < len(run.forced_moves)):
                # forced: what the previous plan kept with the fewest moves had to move
                run.forced_moves = {oid: forced_reason(p, oid, assigns) for oid in moved}
        if not ok and run.broken_pass is None:
            run.broken_pass = assigns
        if ok:
            objective = evaluate(p, assigns)["objective"]
            run.remember_pass(objective, len(ranked), assigns, is_keep_rule(rule))
            ranked.append((objective, len(ranked), rule))
            if run.offer(assigns, "heuristic", objective):
                best_rule = rule
        return dispatcher

    def fits():
        """Whether one more pass fits (a repair weighs every way to keep the plan)."""
        return run.repair or (run.elapsed() + last <= budget and run.remaining() >= 1.5 * last)

    widest = max(SLIDE_LIMITS, key=SLIDE_LIMITS.get)
    slide = None  # the shortest slide the widest fixed slide refused
    for k, rule in enumerate(rules):
        # the first rule always runs (a plan is needed); the others only if they fit
        if k and not fits():
            break
        dispatcher = trial(rule)
        if dispatcher is not None and rule == widest:
            slide = dispatcher.refused_slide
    # the longer slides: a replan's while the time limit leaves room for them; a repair's
    # whatever they take, as its own rules (on the bench plant a longer slide was the best
    # repair of two of three 4-hour overruns on one press, and whether it ran depended on the
    # machine's speed: the same event gave plans 40% apart, bench/README_repair.md run 33)
    for _widening in range(SLIDE_WIDENINGS):
        if slide is None or slide > SLIDE_MAX_MINUTES:
            break
        if not run.repair and (not fits() or run.remaining() < 1.5 * last):
            break
        dispatcher = trial(slide_rule(slide))
        slide = None if dispatcher is None else dispatcher.refused_slide
    if run.repair and not ranked:
        # no way to keep the plan gave one that keeps every rule (e.g. work tied by a maximum
        # lag to a lock, whose previous slot is taken): the plan is made again, with the
        # first other rule that gives one
        _first_valid(trial, ranked, [rule for rule in regular if rule not in REPAIR_RULES])
    # the restarts perturb the two best rules only: the weak ones waste their time
    ranked.sort()
    return errors, [rule for _obj, _k, rule in ranked[:2]] or rules[:1], best_rule


def _first_valid(trial, ranked, rules):
    """Run ``trial`` on ``rules`` until one ranks a plan (``ranked`` grows)."""
    for rule in rules:
        trial(rule)
        if ranked:
            return


# first dispatching passes kept as fallbacks for a best plan that breaks a rule
FALLBACK_PASSES = 4


# decomposed problems: restarts until RESTART_SHARE of the limit, on to RESTART_MAX_SHARE
# while fewer than RESTART_SAMPLES ran, the time windows in the rest: on a big plan the best of
# a few dozen noisy restarts still improves where a window frees only a small part of it
# (bench/README.md, "Dispatching restarts on big plans")
RESTART_SHARE = 0.6
RESTART_MAX_SHARE = 0.85
RESTART_SAMPLES = 100


def _restarts(run, rules, best_rule, until, extend_until=None, samples=0, feed=None):
    """Randomised dispatching (noisy priorities) until ``until`` seconds; keeps the best.
    Past ``until`` they go on up to ``extend_until`` seconds while fewer than ``samples``
    ran. With a ``feed`` (``feed.closure_feed``) and a best plan that leaves the batch work
    center idle for a cycle or more in the closure, every other restart dispatches a copy in
    which orders are moved ahead to be packed before it (deciding once: restarts that fill
    the closure find better plans from there; bench/README.md, "Feeding the sterilizer
    before the weekend")."""
    last = 0.0
    seed = 0
    if feed is not None and run.best is not None:
        if idle_minutes(run.p, feed, run.best) < run.p.resources[feed.resource].batch_cycle:
            feed = None

    def next_one_fits():
        ends = run.elapsed() + last
        if ends < until:
            return True
        return extend_until is not None and ends < extend_until and seed < samples

    while run.best is not None and next_one_fits() and run.remaining() > 1.5 * last:
        t = time.monotonic()
        seed += 1
        rule = best_rule if seed % 3 else rules[seed % len(rules)]
        draw = run.o.seed * 100003 + seed
        problem = run.p
        if feed is not None and seed % 2 == 0:
            problem = fed_problem(run.p, feed, random.Random(draw))
        try:
            assigns, ok = dispatch(problem, rule, seed=draw)
        except HeuristicFailure:
            break
        if ok and not run.offer(assigns, "heuristic"):
            run.report(f"dispatching restart {seed}: best objective {run.best_obj}")
        last = time.monotonic() - t


TABU_SHARE = 0.4  # most of the time limit the tabu search on (flexible) job shops may take
TABU_PATIENCE = 3  # back-jumps without a better schedule before it hands over to CP-SAT


def _tabu(run, until):
    """Tabu search on the critical path until ``until`` seconds ((flexible) job shops only);
    with two workers or more a second search with another seed runs beside it."""
    end = min(run.t0 + until, run.deadline - run.reserve)
    if end <= time.monotonic():
        return
    second = _second_tabu(run, end)
    try:
        search = JobShopTabu(run.p, seed=run.o.seed)
        found = search.improve(
            run.best, end, on_improve=lambda a: run.offer(a, "tabu"), patience=TABU_PATIENCE
        )
        run.offer(found, "tabu")
    except BaseException:
        if second is not None:
            second.close()  # no child left searching for a solve that failed
        raise
    if second is not None:
        other = second.result(should_stop=run.stop_requested)
        if other is not None and set(other) != set(run.best):
            other, second.error = None, "its plan has other operations"
        if other is None:
            run.report(f"second tabu search: {second.error}", force=True)
        else:
            run.offer(other, "tabu")


def _second_tabu(run, end):
    """The second tabu search's child process, or None (one worker, or too little time)."""
    # imported here: the child runs that module as __main__, which Python warns about when
    # the package's import already loaded it
    from .tabu_process import MIN_SECONDS, TabuProcess

    if run.o.workers < 2 or end - time.monotonic() < MIN_SECONDS:
        return None
    try:
        return TabuProcess(run.p.raw, run.best, run.o.seed + 1, end, patience=TABU_PATIENCE)
    except OSError as exc:  # no Python to start, no temporary folder: one search it is
        run.report(f"second tabu search not started: {exc}", force=True)
        return None


# the whole-plan LNS on job shops of more than this many operations, until this share of
# the time limit; the full model then gets the rest (hinted with the best plan, it proves a
# bound). It only takes what the tabu search leaves of its share: on ta21-30 (30 s, 2 workers,
# idle machine) the full model hinted at 12 s reached 1.38% mean gap, the LNS until 24 s 1.61%
LNS_MIN_OPERATIONS = 250
LNS_SHARE = TABU_SHARE


def _lns(run, until):
    """Whole-plan large-neighbourhood search until ``until`` seconds (pure-makespan shops)."""
    end = min(run.t0 + until, run.deadline - run.reserve)
    if end <= time.monotonic() + 0.5:
        return
    search = JobShopLns(run.p, seed=run.o.seed, workers=run.o.workers, while_solving=run.stoppable)
    found = search.improve(
        run.best,
        end,
        on_improve=lambda a: run.offer(a, "cp-sat-lns"),
        should_stop=run.stop_requested,
    )
    run.offer(found, "cp-sat-lns")


def _horizon(run):
    """Upper bound of the model's time variables: the problem horizon, tightened to the
    heuristic makespan plus half its span (at least a day) so calendars stay small."""
    p = run.p
    if run.best:
        mk = max(a.end for a in run.best.values())
        span = mk - min(0, *(a.start for a in run.best.values()))
        derived = max(mk + max(span // 2, 1440), p.just_in_time_reach(p.jobs))
        return derived if p.horizon is None else min(p.horizon, derived)
    if p.horizon is not None:
        return p.horizon
    total = sum(max(p.work_minutes(o, md) for md in o.modes) for o in p.operations.values())
    release = max((op.release for op in p.operations.values()), default=0)
    return release + 4 * total + 10080


def _flow_offset(p):
    """The model counts flow time as the sum of finishes; the plan as finish - release."""
    w = p.objective["flow_time"]
    if w <= 0:
        return 0
    return w * sum(j.release for j in p.jobs.values() if j.operations)


def _jobshop_horizon(run):
    """Upper bound of the job-shop model's time variables: the incumbent's makespan (the
    problem's horizon when that is shorter, or without an incumbent)."""
    p = run.p
    if not run.best:
        return p.horizon
    incumbent = makespan(run.best)
    return incumbent if p.horizon is None else min(p.horizon, incumbent)


def _cp_sat_full(run):
    """One CP-SAT model over all operations with the incumbent as hint.

    Every solution CP-SAT reports is read back and offered to the incumbent (objective
    recomputed as the plan computes it), so ``progress`` only records real improvements.
    Returns ``(cp-sat status name, bound in the plan's objective or None)``."""
    p = run.p
    if run.remaining() <= 0.1:
        return None, None
    if p.is_pure_makespan:
        # only a shorter schedule than the incumbent is of use: its makespan bounds every
        # time variable (as in the LNS), which the no-overlaps' propagation starts from
        model = JobShopModel(p, hint=run.best, horizon=_jobshop_horizon(run))
        method = "cp-sat-jobshop"
        jobshop = True
    else:
        free = set(p.operations)
        model = PlantModel(p, free, {}, 0, _horizon(run), hint=run.best)
        method = "cp-sat"
        jobshop = False
    # the time limit is what is left AFTER building the model
    limit = run.remaining() - CP_SAT_MARGIN
    if limit < 0.05:
        return None, None
    solver = solver_parameters(limit, run.o.workers, run.o.seed, run.o.log, jobshop=jobshop)

    def on_solution(callback):
        run.offer(model.read(callback), method)

    with run.stoppable(solver):
        status = solver.solve(model.m, Recorder(on_solution))
    name = solver.status_name(status)
    if status not in SOLUTION_STATUSES:
        return name, None
    final = model.read(solver)
    obj = evaluate(p, final)["objective"]
    if not run.offer(final, method, obj) and obj == run.best_obj:
        run.best, run.method = final, method  # same objective: CP-SAT's (proven) schedule
    raw_bound = solver.best_objective_bound / model.scale
    if jobshop:
        bound = raw_bound * p.objective["makespan"]
    else:
        bound = raw_bound - _flow_offset(p)
    if float(bound).is_integer():
        bound = int(bound)
    return name, bound


def _check(run, raw, assigns, status, method, bound=None):
    """Plan dict of ``assigns`` and its violations (reusing the early check if it applies)."""
    from .validator import validate

    if (
        bound is None
        and run.checked is not None
        and run.checked[0] is assigns
        and not run.checked[2]
    ):
        plan = run.checked[1]
        plan.update(status=status, method=method, solve_seconds=round(run.elapsed(), 3))
        plan["progress"] = [list(x) for x in run.progress]
        return plan, []
    plan = build_plan(
        run.p, assigns, status, method, run.elapsed(), bound=bound, progress=run.progress
    )
    return plan, validate(raw, plan)


def _measure_final_cost(run, raw):
    """Build and validate the first heuristic plan: its cost sets the reserve for the end."""
    from .validator import validate

    t = time.monotonic()
    plan = build_plan(run.p, run.best, "FEASIBLE", "heuristic", run.elapsed(), progress=[])
    violations = validate(raw, plan)
    cost = time.monotonic() - t
    run.checked = (run.best, plan, violations)
    # one more build + validate at the end, with slack for a slower machine
    run.reserve = 0.05 + 1.5 * cost
    return cost


def _search(run, rules, best_rule):
    """After the first dispatching: restarts, tabu search, CP-SAT (one model, time windows
    or the neighbourhood of a repair), as the problem calls for. Returns ``(the heuristic's
    best schedule, CP-SAT's status name or None, its bound or None)``."""
    prob, options = run.p, run.o
    n = len(prob.operations)
    limit = options.max_model_operations
    if prob.has_named_tools:
        # a named tool's circuit grows with the square of its uses: on 136 operations with
        # moving, cycle-limited moulds one model did not improve the dispatcher in 10 s,
        # time windows did (-7%)
        limit = min(limit, NAMED_TOOLS_MAX_MODEL_OPERATIONS)
    big = n > limit and not prob.is_pure_makespan
    keeping = is_keep_rule(best_rule) and prob.objective["stability"] > 0
    if run.repair:
        # the search stays around the disruption: no restarts, no whole-plant model
        pass
    elif keeping:
        # the kept previous plan leads: a dispatching restart moves nearly every operation
        # and cannot pay for that, so the time goes to CP-SAT, which pays for each move
        pass
    elif big:
        # on big problems noisy restarts of the dispatcher pay off more than early LNS
        _restarts(
            run,
            rules,
            best_rule,
            RESTART_SHARE * options.time_limit,
            extend_until=RESTART_MAX_SHARE * options.time_limit,
            samples=RESTART_SAMPLES,
            feed=closure_feed(prob),
        )
    elif n <= 300:
        _restarts(run, rules, best_rule, 0.05 * options.time_limit)
    heuristic_best = run.best
    if run.best is not None and tabu_applicable(prob) and not run.repair:
        _tabu(run, TABU_SHARE * options.time_limit)
    if run.best is not None and prob.is_pure_makespan and n > LNS_MIN_OPERATIONS:
        _lns(run, LNS_SHARE * options.time_limit)
    bound = None
    cp_status = None
    if run.repair:
        if run.best is not None:
            from .decompose import improve_neighbourhood

            improve_neighbourhood(run, options.neighbourhood)
    elif not big:
        cp_status, bound = _cp_sat_full(run)
    elif run.best is not None:
        from .decompose import improve

        improve(run)
    return heuristic_best, cp_status, bound


def solve(problem, options: SolveOptions | None = None) -> dict:
    """Plan ``problem`` (schema dict); returns the plan dict (see docs/engine-schema.md).

    The whole call (loading, heuristic, models, CP-SAT, plan output and validation) keeps
    within ``options.time_limit`` seconds of wall time, except that one heuristic schedule is
    always made. Raises ``ProblemError`` for bad input. Never returns a plan that fails
    ``validate``.
    """
    t0 = time.monotonic()
    options = options or SolveOptions()
    prob = load_problem(problem)
    raw = problem if isinstance(problem, dict) else prob.raw
    run = _Run(prob, options, t0)
    run.report("checking problem and dispatching")
    errors, rules, best_rule = _heuristic(run)
    relaxed = None
    if run.best is not None:
        _measure_final_cost(run, raw)
        # a tenth of the time limit at most for the queueing relaxation (the rest is valid
        # without it: paths on working time)
        relaxed = lower_bound(prob, deadline=time.monotonic() + BOUND_SHARE * options.time_limit)
    heuristic_best, cp_status, bound = _search(run, rules, best_rule)
    status = "FEASIBLE" if run.best is not None else "UNKNOWN"
    if run.best is not None:
        if relaxed is not None:
            # the relaxation's bound when CP-SAT proved none (decomposed) or a weaker one
            bound = relaxed if bound is None else max(bound, relaxed)
        if bound is not None:
            # a plan that reaches a proven bound is optimal
            reached = run.best_obj <= bound + 1e-6
            if reached and (status == "FEASIBLE" or cp_status == "OPTIMAL"):
                status = "OPTIMAL"
            bound = min(bound, run.best_obj)
    if run.best is None:
        status = cp_status if cp_status in ("INFEASIBLE", "MODEL_INVALID") else "UNKNOWN"
        message = "; ".join(errors) if errors else None
        if message is None and run.broken_pass is not None:
            _plan, violations = _check(run, raw, run.broken_pass, status, "heuristic")
            if violations:
                message = "no valid plan found: " + violations[0]
        run.report(f"no plan found ({status})", force=True)
        plan = empty_plan(status, run.method, run.elapsed(), message)
        if run.stopped:
            plan["stopped"] = True
        return plan

    plan, violations = _check(run, raw, run.best, status, run.method, bound)
    solver_failed = bool(violations) and run.best is not heuristic_best
    if solver_failed and heuristic_best is not None:
        first_violation = violations[0]
        run.best = heuristic_best
        run.best_obj = evaluate(prob, heuristic_best)["objective"]
        run.progress = [x for x in run.progress if x[1] >= run.best_obj]
        plan, violations = _check(run, raw, heuristic_best, "FEASIBLE", "heuristic")
        plan["warning"] = (
            "solver plan failed validation, heuristic plan returned: " + first_violation
        )
        # the dispatcher's own plan breaks the rule too: not the solver's failure
        solver_failed = not violations
    if violations:
        # the best first dispatching pass that keeps every rule, if one does: a rule whose
        # plan breaks one (input no plan satisfies, or a defect of that rule) is not the
        # answer while another rule's plan is valid
        for objective, _order, assigns, _keeps in run.first_passes:
            if assigns is run.best:
                continue
            alternative, broken = _check(run, raw, assigns, "FEASIBLE", "heuristic")
            if broken:
                continue
            first_violation = violations[0]
            run.best, run.best_obj = assigns, objective
            run.progress = [x for x in run.progress if x[1] >= objective]
            alternative["progress"] = [list(x) for x in run.progress]
            plan, violations, solver_failed = alternative, [], False
            plan["warning"] = (
                "the best plan failed validation, the best valid dispatching plan returned: "
                + first_violation
            )
            break
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
    if run.stopped:
        plan["stopped"] = True
    plan["moves"] = _moves(run, run.best)
    run.report("done", force=True)
    return plan


def _moves(run, assigns):
    """The operations the plan moves from the previous plan, by reason: ``forced`` (their
    previous position no longer fits: kept where possible, they still had to move) and
    ``improving`` (moved although they could have stayed, because the objective gains),
    of which ``followed`` were only pushed later by the work before them (e.g. a queue
    behind work that ran over, see ``schedule.followed_operations``);
    ``reasons`` counts the forced ones by why they had to move (``FORCED_REASONS``)."""
    moved = moved_operations(run.p, assigns)
    why = run.forced_moves
    if why is None:
        # the previous plan could not even be dispatched: every move was forced by that
        why = dict.fromkeys(moved, "occupied")
    forced = moved & set(why)
    reasons = {}
    for oid in forced:
        reasons[why[oid]] = reasons.get(why[oid], 0) + 1
    return {
        "forced": sorted(forced),
        "improving": sorted(moved - forced),
        "followed": sorted(followed_operations(run.p, assigns, moved - forced)),
        "kept": len(run.p.previous_plan) - len(moved),
        "reasons": {r: reasons[r] for r in FORCED_REASONS if r in reasons},
    }

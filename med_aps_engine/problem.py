"""Typed problem model and loader (schema versions 1 and 2, see ``docs/engine-schema.md``).

``load_problem(data)`` turns the plain problem dict into :class:`Problem` and raises
:class:`ProblemError` naming the offending element for every kind of bad input.
"""

import math
from dataclasses import dataclass, field

from .calendar import Calendar
from .schema_check import check_shape, describe

SCHEMA_VERSION = 2
# version 1 problems load unchanged (version 2 only adds secondary resources)
SUPPORTED_SCHEMA_VERSIONS = (1, 2)
MAX_HORIZON = 5_256_000  # 10 years of minutes
OBJECTIVE_KEYS = (
    "weighted_tardiness",
    "makespan",
    "flow_time",
    "changeover",
    "stability",
    "earliness",
)
DEFAULT_OBJECTIVE = {
    "weighted_tardiness": 1000,
    "makespan": 1,
    "flow_time": 0,
    "changeover": 1,
    # a moved operation costs as much as 30 minutes of lateness of a weight-1 job: a replan
    # keeps the previous plan unless a move really pays
    "stability": 30_000,
    # finishing before the due date costs nothing unless asked (just-in-time planning)
    "earliness": 0,
}


class ProblemError(ValueError):
    """The problem is malformed; the message names the element and what is wrong."""


@dataclass(frozen=True)
class Requirement:
    """``count`` units of the secondary resources ``any_of`` (mixing allowed), held for the
    whole occupation on the main resource, or only for its setup (``setup_only``)."""

    any_of: tuple
    count: int = 1
    setup_only: bool = False
    cycles: int = 1  # cycles one use takes from a unit with a cycle limit
    # secondary resource -> the minute by which its window must end (a qualification that
    # lapses: the person serves this requirement, not others, only until then)
    valid_until: tuple = ()  # ((secondary resource, minute), ...): hashable

    def usable(self, sid, end):
        """Whether a unit of ``sid`` may serve this requirement in a window ending at
        ``end``."""
        return all(end <= limit for key, limit in self.valid_until if key == sid)


@dataclass
class Mode:
    resource: str
    duration: int
    setup: int = 0
    cleanup: int = 0
    requires: tuple = ()  # Requirement, each naming different secondary resources


@dataclass
class SecondaryResource:
    """``count`` identical units (tools, moulds, an operator pool by skill) that an operation
    holds beside its main resource; the plan names the unit. The calendar says when the
    units may be used (maintenance windows are its gaps)."""

    id: str
    name: str
    count: int
    calendar: Calendar
    unit_names: tuple = ()
    # minutes to unmount a unit and mount it on another machine (resource unit) between two
    # consecutive uses; its units are then told apart in the model (see secondary.py)
    move_minutes: int = 0
    # cycles a unit may run between two maintenances (None: no limit), the maintenance's
    # length, and the cycles each unit has run since its last maintenance at the origin
    max_cycles: int | None = None
    maintenance_minutes: int = 0
    cycles_used: tuple = ()

    @property
    def named(self):
        """Units that differ (where a tool is, its cycles): the model names them itself."""
        return self.move_minutes > 0 or self.max_cycles is not None


@dataclass
class Predecessor:
    op: str  # operation id (job predecessors are expanded to the job's last operations)
    min_lag: int = 0
    max_lag: int | None = None
    via_job: str | None = None


@dataclass
class Resource:
    id: str
    name: str
    capacity: int
    efficiency: float
    calendar: Calendar
    changeover_default: int = 0
    changeover_rules: dict = field(default_factory=dict)  # (from, to) -> minutes
    batch_max_size: int | None = None
    batch_cycle: int | None = None

    @property
    def is_batch(self):
        return self.batch_max_size is not None

    @property
    def has_changeovers(self):
        return self.changeover_default > 0 or any(v > 0 for v in self.changeover_rules.values())

    def changeover(self, fam_from, fam_to):
        """Changeover minutes between two consecutive operations of these setup families."""
        if fam_from is None or fam_to is None:
            return 0
        rule = self.changeover_rules.get((fam_from, fam_to))
        if rule is not None:
            return rule
        return self.changeover_default if fam_from != fam_to else 0

    def max_changeover_to(self, fam_to):
        if fam_to is None or not self.has_changeovers:
            return 0
        best = self.changeover_default
        for (_a, b), minutes in self.changeover_rules.items():
            if b == fam_to:
                best = max(best, minutes)
        return best


@dataclass
class Operation:
    id: str
    job: str
    name: str
    index: int  # position in the problem (stable ordering)
    modes: list
    predecessors: list
    release: int  # effective release: max(job release, op release)
    setup_family: str | None
    batch_family: str | None
    batch_size: int
    interruptible: bool
    locked: tuple | None  # (resource, start)
    in_progress: tuple | None  # (resource, start, remaining)
    successors: list = field(default_factory=list)  # filled by the loader: (op, min, max)

    def mode_on(self, resource_id):
        for mode in self.modes:
            if mode.resource == resource_id:
                return mode
        return None


@dataclass
class Job:
    id: str
    name: str
    release: int
    due: int | None
    weight: float
    operations: list  # operation ids in problem order


@dataclass
class Problem:
    raw: dict
    origin: str | None
    horizon: int | None
    resources: dict
    jobs: dict
    operations: dict
    previous_plan: dict  # op id -> (resource, start)
    frozen_until: int | None
    objective: dict
    topo_order: list = field(default_factory=list)
    secondary: dict = field(default_factory=dict)  # id -> SecondaryResource
    schema_version: int = SCHEMA_VERSION

    @property
    def has_named_tools(self):
        """True when a secondary resource's units differ (moves, cycle limits)."""
        return any(sec.named for sec in self.secondary.values())

    @property
    def has_requirements(self):
        """True when some mode needs a secondary resource."""
        return any(m.requires for op in self.operations.values() for m in op.modes)

    # ------------------------------------------------------------------ derived quantities
    def work_minutes(self, op, mode):
        """Working minutes of ``op`` on ``mode`` without changeover (batch: the cycle)."""
        res = self.resources[mode.resource]
        if res.is_batch:
            return res.batch_cycle
        proc = math.ceil(mode.duration * 100 / res.efficiency) if mode.duration else 0
        return mode.setup + proc + mode.cleanup

    def fixed_position(self, op):
        """(resource, start, remaining|None) for operations that may not move, else None."""
        if op.in_progress:
            return op.in_progress
        if op.locked:
            return (op.locked[0], op.locked[1], None)
        prev = self.previous_plan.get(op.id)
        # a previous start before the origin was never started (else it would be in
        # progress): there is nothing to freeze, it has to move
        if prev and self.frozen_until is not None and 0 <= prev[1] < self.frozen_until:
            return (prev[0], prev[1], None)
        return None

    def just_in_time_reach(self, job_ids):
        """How far the time variables of ``job_ids`` must reach: with an earliness weight
        the jobs may finish as late as their due dates (their latest due date), else 0."""
        if self.objective["earliness"] <= 0:
            return 0
        return max((self.jobs[j].due for j in job_ids if self.jobs[j].due is not None), default=0)

    @property
    def is_pure_makespan(self):
        """True for plain (flexible) job shops: only the makespan counts, no calendars etc."""
        obj = self.objective
        if obj["makespan"] <= 0 or obj["flow_time"] > 0:
            return False
        if obj["earliness"] > 0 and any(j.due is not None for j in self.jobs.values()):
            return False
        if obj["weighted_tardiness"] > 0 and any(j.due is not None for j in self.jobs.values()):
            return False
        if obj["stability"] > 0 and self.previous_plan:
            return False
        for res in self.resources.values():
            if res.capacity != 1 or res.is_batch or not res.calendar.always:
                return False
            if res.has_changeovers:
                return False
        for op in self.operations.values():
            if op.locked or op.in_progress or op.release > 0:
                return False
            if any(p.max_lag is not None or p.min_lag or p.via_job for p in op.predecessors):
                return False
        if self.previous_plan and self.frozen_until is not None:
            return False
        if self.has_requirements:
            return False
        return True


# ---------------------------------------------------------------------- loader helpers
def _int(value, what, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProblemError(f"{what}: expected a whole number of minutes, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ProblemError(f"{what}: expected a whole number of minutes, got {value!r}")
        value = int(value)
    return value


def _nonneg(value, what, name):
    value = _int(value, f"{what}: {name}")
    if value < 0:
        raise ProblemError(f"{what}: {name} {value} is negative")
    return value


def _load_calendar(raw, what):
    if raw is None:
        return Calendar(None)
    if not isinstance(raw, list):
        raise ProblemError(f"{what}: calendar must be a list of [start, end] intervals")
    windows = []
    prev_end = None
    for k, item in enumerate(raw):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ProblemError(f"{what}: calendar interval #{k} {item!r} is not [start, end]")
        start = _int(item[0], f"{what}: calendar interval #{k} start")
        end = _int(item[1], f"{what}: calendar interval #{k} end")
        if end <= start:
            raise ProblemError(f"{what}: calendar interval #{k} [{start}, {end}) is empty")
        if prev_end is not None and start < prev_end:
            raise ProblemError(
                f"{what}: calendar is unsorted or overlapping at interval #{k} "
                f"[{start}, {end}) (previous interval ends at {prev_end})"
            )
        windows.append((start, end))
        prev_end = end
    return Calendar(windows)


def _load_resource(raw, seen):
    if not isinstance(raw, dict) or not raw.get("id"):
        raise ProblemError(f"resource {raw!r}: missing 'id'")
    rid = raw["id"]
    what = f"resource {rid!r}"
    if rid in seen:
        raise ProblemError(f"{what}: duplicate resource id")
    capacity = _int(raw.get("capacity", 1) if raw.get("capacity") is not None else 1, what)
    if capacity < 1:
        raise ProblemError(f"{what}: capacity {capacity} must be at least 1")
    efficiency = raw.get("efficiency")
    efficiency = 100 if efficiency is None else efficiency
    if isinstance(efficiency, bool) or not isinstance(efficiency, (int, float)):
        raise ProblemError(f"{what}: efficiency {efficiency!r} is not a number")
    if efficiency <= 0:
        raise ProblemError(f"{what}: efficiency {efficiency} must be greater than 0")
    calendar = _load_calendar(raw.get("calendar"), what)
    changeover = raw.get("changeover") or {}
    default = _nonneg(changeover.get("default") or 0, what, "changeover default")
    rules = {}
    for rule in changeover.get("rules") or []:
        minutes = _nonneg(
            rule.get("minutes") or 0,
            what,
            f"changeover {rule.get('from')!r} -> {rule.get('to')!r} minutes",
        )
        pair = (rule.get("from"), rule.get("to"))
        if pair in rules:
            # which one holds would be a guess (the validator would read the first)
            raise ProblemError(
                f"{what}: changeover {pair[0]!r} -> {pair[1]!r} is given twice "
                f"({rules[pair]} and {minutes} minutes)"
            )
        rules[pair] = minutes
    batch = raw.get("batch")
    max_size = cycle = None
    if batch:
        max_size = _int(batch.get("max_size"), f"{what}: batch max_size")
        cycle = _int(batch.get("cycle_minutes"), f"{what}: batch cycle_minutes")
        if max_size < 1:
            raise ProblemError(f"{what}: batch max_size {max_size} must be at least 1")
        if cycle < 0:
            raise ProblemError(f"{what}: batch cycle_minutes {cycle} is negative")
    return Resource(
        id=rid,
        name=raw.get("name") or rid,
        capacity=capacity,
        efficiency=efficiency,
        calendar=calendar,
        changeover_default=default,
        changeover_rules=rules,
        batch_max_size=max_size,
        batch_cycle=cycle,
    )


def load_problem(data) -> Problem:
    """Check ``data`` (a problem dict) and return the typed :class:`Problem`.

    Raises :class:`ProblemError` whose message names the offending element.
    """
    if isinstance(data, Problem):
        return data
    if not isinstance(data, dict):
        raise ProblemError(f"problem must be a JSON object, got {type(data).__name__}")
    version = data.get("schema_version", 1)
    if type(version) is not int or version not in SUPPORTED_SCHEMA_VERSIONS:  # true is not 1
        supported = ", ".join(str(v) for v in SUPPORTED_SCHEMA_VERSIONS)
        raise ProblemError(f"unknown schema_version {describe(version)} (supported: {supported})")
    # shape (keys, types, limits) before anything reads the values
    check_shape(data, ProblemError)
    horizon = _load_horizon(data)
    resources = {}
    for raw in data.get("resources") or []:
        res = _load_resource(raw, resources)
        resources[res.id] = res
    secondary = _load_secondary_resources(data, version, resources)
    objective = _load_objective(data)
    jobs = {}
    operations = {}
    raw_preds = {}
    for raw_job in data.get("jobs") or []:
        _load_job(raw_job, resources, jobs, operations, raw_preds, secondary)
    _load_predecessors(raw_preds, operations, jobs)
    previous, frozen_until = _load_previous_plan(data, operations, resources)
    problem = Problem(
        raw=data,
        origin=data.get("origin"),
        horizon=horizon,
        resources=resources,
        jobs=jobs,
        operations=operations,
        previous_plan=previous,
        frozen_until=frozen_until,
        objective=objective,
        secondary=secondary,
        schema_version=version,
    )
    problem.topo_order = _topological_order(operations)
    _check_fits(problem)
    _check_secondary_fits(problem)
    return problem


def _load_secondary_resources(data, version, resources):
    """``{id: SecondaryResource}``; schema version 2 only, ids apart from the resources'."""
    raw_list = data.get("secondary_resources") or []
    if raw_list and version < 2:
        raise ProblemError("secondary_resources: needs schema_version 2 (the problem says 1)")
    secondary = {}
    for raw in raw_list:
        sid = raw["id"]
        what = f"secondary resource {sid!r}"
        if sid in secondary:
            raise ProblemError(f"{what}: duplicate secondary resource id")
        if sid in resources:
            raise ProblemError(f"{what}: the id is also a resource's (ids must be distinct)")
        count = 1 if raw.get("count") is None else _int(raw["count"], f"{what}: count")
        if count < 1:
            raise ProblemError(f"{what}: count {count} must be at least 1")
        names = tuple(raw.get("unit_names") or ())
        if names and len(names) != count:
            raise ProblemError(
                f"{what}: {len(names)} unit_names for count {count} (one name per unit)"
            )
        if len(set(names)) != len(names):
            raise ProblemError(f"{what}: unit_names are not unique")
        secondary[sid] = SecondaryResource(
            id=sid,
            name=raw.get("name") or sid,
            count=count,
            calendar=_load_calendar(raw.get("calendar"), what),
            unit_names=names,
            move_minutes=_nonneg(raw.get("move_minutes") or 0, what, "move_minutes"),
            **_load_cycle_limit(raw, what, count),
        )
    return secondary


def _load_cycle_limit(raw, what, count):
    """``max_cycles``, ``maintenance_minutes`` and ``cycles_used`` (one per unit, each within
    ``max_cycles``) of a secondary resource."""
    limit = raw.get("max_cycles")
    if limit is None:
        if raw.get("cycles_used"):
            raise ProblemError(f"{what}: cycles_used without max_cycles")
        return {}
    limit = _int(limit, f"{what}: max_cycles")
    if limit < 1:
        raise ProblemError(f"{what}: max_cycles {limit} must be at least 1")
    used = tuple(raw.get("cycles_used") or (0,) * count)
    if len(used) != count:
        raise ProblemError(f"{what}: {len(used)} cycles_used for count {count} (one per unit)")
    for u, value in enumerate(used):
        if _nonneg(value, what, f"cycles_used of unit {u}") > limit:
            raise ProblemError(f"{what}: unit {u} has used {value} cycles, over max_cycles {limit}")
    return {
        "max_cycles": limit,
        "maintenance_minutes": _nonneg(
            raw.get("maintenance_minutes") or 0, what, "maintenance_minutes"
        ),
        "cycles_used": used,
    }


def _load_requirements(raw_mode, what, rid, resources, secondary):
    """The secondary resources a mode needs (``requires``), each checked against the
    secondary resources and the main resource."""
    raw_list = raw_mode.get("requires") or []
    if not raw_list:
        return ()
    where = f"{what}: on {rid!r}"
    if resources[rid].is_batch:
        raise ProblemError(
            f"{where}: requires secondary resources, which batch resources do not support"
        )
    requirements = []
    named = set()
    for raw in raw_list:
        any_of = tuple(raw.get("any_of") or ())
        if not any_of:
            raise ProblemError(f"{where}: a requirement with an empty any_of")
        for sid in any_of:
            if sid not in secondary:
                raise ProblemError(f"{where}: requires unknown secondary resource {sid!r}")
            if any_of.count(sid) > 1:
                raise ProblemError(f"{where}: secondary resource {sid!r} is listed twice")
            if sid in named:
                raise ProblemError(
                    f"{where}: secondary resource {sid!r} is in two requirements "
                    f"(give one requirement with the total count)"
                )
        named.update(any_of)
        count = 1 if raw.get("count") is None else _int(raw["count"], f"{where}: count")
        if count < 1:
            raise ProblemError(f"{where}: requirement count {count} must be at least 1")
        units = sum(secondary[sid].count for sid in any_of)
        if count > units:
            raise ProblemError(
                f"{where}: requires {count} units of {list(any_of)} which have {units}"
            )
        during = raw.get("during") or "occupation"
        cycles = 1 if raw.get("cycles") is None else _nonneg(raw["cycles"], where, "cycles")
        limited = [sid for sid in any_of if secondary[sid].max_cycles is not None]
        if (
            limited
            and all(cycles > secondary[sid].max_cycles for sid in limited)
            and len(limited) == len(any_of)
        ):
            raise ProblemError(
                f"{where}: a use takes {cycles} cycles, more than max_cycles of {list(any_of)}"
            )
        valid_until = _load_valid_until(raw, where, any_of)
        requirements.append(Requirement(any_of, count, during == "setup", cycles, valid_until))
    return tuple(requirements)


def _load_valid_until(raw, where, any_of):
    """``{secondary resource: minute}`` of a requirement: each a resource of its any_of."""
    raw_limits = raw.get("valid_until") or {}
    if not isinstance(raw_limits, dict):
        raise ProblemError(f"{where}: valid_until must be an object of minutes by resource")
    limits = {}
    for sid, minute in raw_limits.items():
        if sid not in any_of:
            raise ProblemError(
                f"{where}: valid_until names {sid!r}, which is not in the requirement's any_of"
            )
        limits[sid] = _int(minute, f"{where}: valid_until of {sid!r}")
    return tuple(sorted(limits.items()))


def _load_horizon(data):
    horizon = _int(data.get("horizon"), "problem: horizon", allow_none=True)
    if horizon is not None:
        if horizon > MAX_HORIZON:
            raise ProblemError(
                f"problem: horizon {horizon} minutes is over MAX_HORIZON {MAX_HORIZON} (10 years)"
            )
        if horizon <= 0:
            raise ProblemError(f"problem: horizon {horizon} must be positive")
    return horizon


def _load_objective(data):
    objective = dict(DEFAULT_OBJECTIVE)
    for key, value in (data.get("objective") or {}).items():
        if key not in OBJECTIVE_KEYS:
            raise ProblemError(
                f"objective: unknown weight {key!r} (known: {', '.join(OBJECTIVE_KEYS)})"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ProblemError(f"objective: weight {key!r} = {value!r} must be a number >= 0")
        objective[key] = value
    return objective


def _load_job(raw_job, resources, jobs, operations, raw_preds, secondary):
    """Add the job and its operations; their predecessors are kept raw in ``raw_preds``
    until every id is known."""
    if not isinstance(raw_job, dict) or not raw_job.get("id"):
        raise ProblemError(f"job {raw_job!r}: missing 'id'")
    jid = raw_job["id"]
    jwhat = f"job {jid!r}"
    if jid in jobs:
        raise ProblemError(f"{jwhat}: duplicate job id")
    jrelease = _nonneg(raw_job.get("release") or 0, jwhat, "release")
    due = _int(raw_job.get("due"), f"{jwhat}: due", allow_none=True)
    weight = raw_job.get("weight")
    weight = 1 if weight is None else weight
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise ProblemError(f"{jwhat}: weight {weight!r} must be a number >= 0")
    job = Job(jid, raw_job.get("name") or jid, jrelease, due, weight, [])
    jobs[jid] = job
    for raw_op in raw_job.get("operations") or []:
        if not isinstance(raw_op, dict) or not raw_op.get("id"):
            raise ProblemError(f"{jwhat}: operation {raw_op!r} has no 'id'")
        oid = raw_op["id"]
        what = f"operation {oid!r} of job {jid!r}"
        if oid in operations:
            raise ProblemError(f"{what}: duplicate operation id")
        op = _load_operation(raw_op, what, job, resources, len(operations), secondary)
        operations[oid] = op
        job.operations.append(oid)
        raw_preds[oid] = (what, raw_op.get("predecessors") or [])


def _load_modes(raw_op, what, resources, secondary):
    modes = []
    for raw_mode in raw_op.get("modes") or []:
        rid = raw_mode.get("resource")
        if rid not in resources:
            raise ProblemError(f"{what}: unknown resource {rid!r}")
        if any(m.resource == rid for m in modes):
            raise ProblemError(f"{what}: resource {rid!r} is listed twice in its modes")
        duration = _int(raw_mode.get("duration"), f"{what}: duration on {rid!r}")
        if duration < 0:
            raise ProblemError(f"{what}: duration {duration} is negative")
        setup = _nonneg(raw_mode.get("setup") or 0, what, "setup")
        cleanup = _nonneg(raw_mode.get("cleanup") or 0, what, "cleanup")
        requires = _load_requirements(raw_mode, what, rid, resources, secondary)
        modes.append(Mode(rid, duration, setup, cleanup, requires))
    if not modes:
        raise ProblemError(f"{what}: has no mode (no resource can do it)")
    return modes


def _load_fixed(raw_op, what, modes):
    """``(locked, in_progress)``: ``(resource, start)`` and ``(resource, start, remaining)``
    or None, on a resource among the operation's modes."""
    locked = raw_op.get("locked")
    if locked:
        lres = locked.get("resource")
        if not any(m.resource == lres for m in modes):
            raise ProblemError(f"{what}: locked on resource {lres!r} which is not among its modes")
        lstart = _nonneg(locked.get("start"), what, "locked start")
        locked = (lres, lstart)
    else:
        locked = None
    in_progress = raw_op.get("in_progress")
    if in_progress:
        pres = in_progress.get("resource")
        if not any(m.resource == pres for m in modes):
            raise ProblemError(
                f"{what}: in progress on resource {pres!r} which is not among its modes"
            )
        pstart = _int(in_progress.get("start"), f"{what}: in_progress start")
        remaining = _nonneg(in_progress.get("remaining"), what, "remaining minutes")
        in_progress = (pres, pstart, remaining)
    else:
        in_progress = None
    return locked, in_progress


def _load_operation(raw_op, what, job, resources, index, secondary):
    oid = raw_op["id"]
    modes = _load_modes(raw_op, what, resources, secondary)
    op_release = _nonneg(raw_op.get("release") or 0, what, "release")
    batch_size = raw_op.get("batch_size")
    batch_size = 1 if batch_size is None else _int(batch_size, f"{what}: batch_size")
    if batch_size < 1:
        raise ProblemError(f"{what}: batch_size {batch_size} must be at least 1")
    interruptible = raw_op.get("interruptible")
    interruptible = True if interruptible is None else bool(interruptible)
    locked, in_progress = _load_fixed(raw_op, what, modes)
    for mode in modes:
        res = resources[mode.resource]
        if res.is_batch and batch_size > res.batch_max_size:
            raise ProblemError(
                f"{what}: batch_size {batch_size} exceeds max_size "
                f"{res.batch_max_size} of batch resource {res.id!r}"
            )
    return Operation(
        id=oid,
        job=job.id,
        name=raw_op.get("name") or oid,
        index=index,
        modes=modes,
        predecessors=[],
        release=max(job.release, op_release),
        setup_family=raw_op.get("setup_family"),
        batch_family=raw_op.get("batch_family"),
        batch_size=batch_size,
        interruptible=interruptible,
        locked=locked,
        in_progress=in_progress,
    )


def _load_predecessors(raw_preds, operations, jobs):
    """Predecessors and lags (a job predecessor: its last operations), then successors."""
    for oid, (what, preds) in raw_preds.items():
        op = operations[oid]
        for pred in preds:
            min_lag = _nonneg(pred.get("min_lag") or 0, what, "min_lag")
            max_lag = _int(pred.get("max_lag"), f"{what}: max_lag", allow_none=True)
            if max_lag is not None:
                if max_lag < 0:
                    raise ProblemError(f"{what}: max_lag {max_lag} is negative")
                if max_lag < min_lag:
                    raise ProblemError(f"{what}: max_lag {max_lag} is less than min_lag {min_lag}")
            if pred.get("op") is not None:
                pid = pred["op"]
                if pid not in operations:
                    raise ProblemError(f"{what}: unknown predecessor operation {pid!r}")
                if pid == oid:
                    raise ProblemError(f"{what}: precedence cycle: {oid} -> {oid}")
                op.predecessors.append(Predecessor(pid, min_lag, max_lag))
            elif pred.get("job") is not None:
                pjid = pred["job"]
                if pjid not in jobs:
                    raise ProblemError(f"{what}: unknown predecessor job {pjid!r}")
                if max_lag is not None:
                    raise ProblemError(
                        f"{what}: max_lag is not supported on predecessor job {pjid!r} "
                        f"(give it on an operation of that job)"
                    )
                if pjid == op.job:
                    raise ProblemError(f"{what}: precedence cycle: job {pjid!r} waits for itself")
                job_ops = jobs[pjid].operations
                if not job_ops:
                    continue
                for pid in _last_operations(job_ops, raw_preds, operations):
                    op.predecessors.append(Predecessor(pid, min_lag, None, via_job=pjid))
            else:
                raise ProblemError(f"{what}: predecessor {pred!r} names neither 'op' nor 'job'")
    for op in operations.values():
        for pred in op.predecessors:
            operations[pred.op].successors.append((op.id, pred.min_lag, pred.max_lag))


def _load_previous_plan(data, operations, resources):
    """``(previous plan {op: (resource, start)}, frozen_until)``."""
    previous = {}
    for oid, prev in (data.get("previous_plan") or {}).items():
        if oid not in operations:
            raise ProblemError(f"previous_plan: unknown operation {oid!r}")
        if not isinstance(prev, dict) or prev.get("resource") not in resources:
            raise ProblemError(
                f"previous_plan: operation {oid!r} has unknown resource "
                f"{(prev or {}).get('resource')!r}"
            )
        start = _int(prev.get("start"), f"previous_plan: operation {oid!r} start")
        previous[oid] = (prev["resource"], start)
    frozen_until = _int(data.get("frozen_until"), "problem: frozen_until", allow_none=True)
    if frozen_until is not None:
        for oid, (rid, start) in previous.items():
            op = operations[oid]
            if 0 <= start < frozen_until and not op.mode_on(rid):
                raise ProblemError(
                    f"operation {oid!r} of job {op.job!r}: frozen on resource {rid!r} which is "
                    f"not among its modes"
                )
    return previous, frozen_until


def _last_operations(job_ops, raw_preds, operations):
    """Operations of a job that may end last: those no other operation of the same job waits
    for. Work in progress does not wait (it has started), so an operation that only work in
    progress follows may end after it, and counts too."""
    members = set(job_ops)
    has_succ = set()
    for oid in job_ops:
        if operations[oid].in_progress:
            continue
        for pred in raw_preds[oid][1]:
            if pred.get("op") in members:
                has_succ.add(pred["op"])
    return [oid for oid in job_ops if oid not in has_succ]


def _topological_order(operations):
    indeg = {oid: len(op.predecessors) for oid, op in operations.items()}
    order = [oid for oid, d in indeg.items() if d == 0]
    head = 0
    while head < len(order):
        oid = order[head]
        head += 1
        for succ, _mn, _mx in operations[oid].successors:
            indeg[succ] -= 1
            if indeg[succ] == 0:
                order.append(succ)
    if len(order) < len(operations):
        remaining = {oid for oid, d in indeg.items() if d > 0}
        cycle = _find_cycle(operations, remaining)
        path = " -> ".join(cycle)
        first = operations[cycle[0]]
        raise ProblemError(f"operation {first.id!r} of job {first.job!r}: precedence cycle: {path}")
    return order


def _find_cycle(operations, nodes):
    """Return one cycle (list of op ids, first repeated at the end) inside ``nodes``."""
    start = min(nodes, key=lambda o: operations[o].index)
    seen = {}
    path = []
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(p.op for p in operations[node].predecessors if p.op in nodes)
    cycle = path[seen[node] :] + [node]
    cycle.reverse()
    return cycle


def _check_fits(problem):
    """Every operation must fit on at least one of its resources' calendars."""
    for op in problem.operations.values():
        what = f"operation {op.id!r} of job {op.job!r}"
        if op.in_progress:
            continue
        fits = []
        for mode in op.modes:
            res = problem.resources[mode.resource]
            work = problem.work_minutes(op, mode)
            cal = res.calendar
            if res.is_batch or not op.interruptible:
                ok = cal.always or work == 0 or cal.longest_window() >= work
            else:
                ok = cal.always or work == 0 or cal.total_minutes() >= work
            fits.append(ok)
        if not any(fits):
            kind = "non-interruptible" if not op.interruptible else "interruptible"
            if any(problem.resources[m.resource].is_batch for m in op.modes):
                kind = "batch cycle of"
            needs = ", ".join(f"{m.resource}: {problem.work_minutes(op, m)} min" for m in op.modes)
            if kind == "interruptible":
                raise ProblemError(
                    f"{what}: needs more working minutes ({needs}) than the calendars of all "
                    f"its resources provide"
                )
            raise ProblemError(
                f"{what}: {kind} operation is longer than every available calendar interval "
                f"of all its resources ({needs})"
            )
        fixed = problem.fixed_position(op)
        if fixed is not None and fixed[1] < op.release:
            how = "locked" if op.locked else "frozen (previous plan, before frozen_until)"
            raise ProblemError(
                f"{what}: {how} at {fixed[1]} on {fixed[0]!r} before its release {op.release}"
            )
        if op.locked:
            rid, start = op.locked
            res = problem.resources[rid]
            work = problem.work_minutes(op, op.mode_on(rid))
            cal = res.calendar
            if cal.always:
                fits = True
            elif res.is_batch or not op.interruptible:
                fits = cal.earliest_fit(start, work) == start
            else:
                fits = work == 0 or cal.window_index(start) is not None
            if not fits:
                raise ProblemError(
                    f"{what}: locked at {start} on {rid!r} but the calendar of {rid!r} is not "
                    f"available then (for {work} minutes)"
                )


def _check_secondary_fits(problem):
    """Some mode of every operation must fit the secondary calendars: for each of its
    requirements enough units of ``any_of`` have an available interval as long as the
    operation's shortest possible occupation (the setup alone for a setup-only one)."""
    for op in problem.operations.values():
        if op.in_progress:
            continue
        failures = []
        for mode in op.modes:
            for req in mode.requires:
                need = mode.setup if req.setup_only else problem.work_minutes(op, mode)
                units = sum(
                    problem.secondary[sid].count
                    for sid in req.any_of
                    if need == 0 or problem.secondary[sid].calendar.longest_window() >= need
                )
                if units < req.count:
                    failures.append(
                        f"on {mode.resource!r} {req.count} of {list(req.any_of)} for {need} minutes"
                    )
                    break
        if len(failures) == len(op.modes):
            raise ProblemError(
                f"operation {op.id!r} of job {op.job!r}: needs {'; '.join(failures)}, but "
                f"their calendars have no available interval that long for enough units"
            )

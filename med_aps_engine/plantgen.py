"""Generator of realistic medical-device plant problems (schema version 1).

``generate_plant(n_jobs, seed=0, days=None)`` builds a deterministic (per seed) problem of a
plant making catheters, syringes, IV sets and balloon catheters:

* 30 work centres with shift calendars (two shifts Monday-Friday, one shift, 24/5 continuous
  lines, 24/7 equipment) and a few leaves (maintenance stops, a plant holiday);
* alternatives: two tubing extrusion lines, three injection molding machines, three cleanroom
  assembly lines (one slower), two ultrasonic welders, two blister packaging lines;
* setup families with sequence-dependent changeover matrices (extrusion materials, molds,
  assembly product lines, blister formats);
* an EO sterilizer with batch cycles (non-interruptible) followed by an aeration / quarantine hold
  before the QC release test (minimum lag, and a maximum lag on some jobs), a curing oven with
  batch cycles, a QC lab with two analysts;
* about 5 operations per job, component jobs (molded hubs, tubing lots) consumed by finished-good
  jobs through cross-job precedences, material release times on jobs and operations, due dates
  with a realistic mix of slack and weights.

The problem is feasible by construction: ``witness_plan(problem)`` (a job-by-job list scheduler
that respects calendars, units, changeovers, batches, releases and minimum lags) produces a plan
for it, the maximum lags are set no tighter than what that plan needs, and the horizon ends
after that plan with a week of margin. ``days`` is the span (in days) over which orders are
released; by default it is chosen so that the busiest work centre group is about 75% loaded.

Options (all off by default; the plant is then exactly the one above, schema version 1). Any
of them on gives a schema version 2 problem (``docs/engine-schema.md``, *Secondary resources*)
drawn from a second random stream, so the rest of the plant stays the same:

* ``molds``: the injection moulds are secondary resources shared by the three presses, fewer
  units of each mould than presses, moved between presses in ``MOLD_MOVE_MINUTES``, with a shot
  limit between two mould maintenances (each use counts its shots);
* ``operators``: operator pools by skill with shift calendars: mould setters and extrusion
  technicians held during the setup only, cleanroom assemblers (two for a balloon catheter,
  one of them a lead) held during the whole occupation;
* ``maintenance``: planned maintenance windows, calendar gaps on the presses, extrusion lines,
  assembly and blister lines and (with ``molds``) on the moulds.

The witness plan respects the secondary resources too (units, windows inside their calendars,
move minutes, shot limits with a maintenance before a use).
"""

import bisect
import math
import random

from .builders import make_mode, make_operation

DAY = 1440
WEEK = 7 * DAY
ORIGIN = "2026-11-30T00:00:00Z"  # a Monday, 00:00 UTC

# shift patterns: per weekday (0 = Monday) a list of (start, end) minutes within the day;
# "24/5" is continuous from Monday 06:00 to Saturday 06:00.
PATTERNS = {
    "2x5": {d: [(360, 1320)] for d in range(5)},
    "1x5": {d: [(420, 930)] for d in range(5)},
    "1x6": {**{d: [(420, 930)] for d in range(5)}, 5: [(420, 720)]},
    "24/5": "continuous",
    "24/7": None,
}

# id, name, capacity, efficiency, pattern, changeover, batch
WORK_CENTRES = [
    ("EXT1", "Tubing extrusion line 1", 1, 100, "24/5", "extrusion", None),
    ("EXT2", "Tubing extrusion line 2", 1, 100, "24/5", "extrusion", None),
    ("IMM1", "Injection molding machine 1", 1, 100, "24/7", "molding", None),
    ("IMM2", "Injection molding machine 2", 1, 100, "24/7", "molding", None),
    ("IMM3", "Injection molding machine 3 (older)", 1, 90, "24/7", "molding", None),
    ("CUT", "Tube cutting", 1, 100, "2x5", None, None),
    ("TIP", "Tip forming", 1, 100, "2x5", None, None),
    ("BAL", "Balloon forming", 1, 100, "2x5", None, None),
    ("COAT", "Hydrophilic coating", 1, 100, "2x5", None, None),
    ("OVEN", "Curing oven", 1, 100, "24/7", None, (8, 240)),
    ("ASM1", "Cleanroom assembly line 1", 1, 100, "2x5", "assembly", None),
    ("ASM2", "Cleanroom assembly line 2", 1, 100, "2x5", "assembly", None),
    ("ASM3", "Cleanroom assembly line 3 (slow)", 1, 85, "24/5", "assembly", None),
    ("MAN", "Manual assembly benches", 3, 100, "1x5", None, None),
    ("WELD1", "Ultrasonic welder 1", 1, 100, "2x5", None, None),
    ("WELD2", "Ultrasonic welder 2", 1, 100, "2x5", None, None),
    ("BOND", "UV bonding", 1, 100, "2x5", None, None),
    ("LEAK", "Leak test", 2, 100, "2x5", None, None),
    ("PRINT", "Pad printing", 1, 100, "2x5", "printing", None),
    ("LASER", "Laser marking", 1, 100, "2x5", None, None),
    ("BLS1", "Blister packaging line 1", 1, 100, "2x5", "blister", None),
    ("BLS2", "Blister packaging line 2", 1, 100, "2x5", "blister", None),
    ("POUCH", "Pouch sealing", 1, 100, "2x5", None, None),
    ("LBL", "Labelling", 1, 100, "2x5", None, None),
    ("CART", "Cartoning", 1, 100, "1x5", None, None),
    ("EO", "EO sterilizer", 1, 100, "24/7", None, (24, 600)),
    ("QC", "QC lab", 2, 100, "2x5", None, None),
    ("MICRO", "Microbiology lab", 1, 100, "1x6", None, None),
    ("VIS", "Visual inspection", 2, 100, "2x5", None, None),
    ("KIT", "Kitting", 1, 100, "1x5", None, None),
]

CHANGEOVERS = {
    "extrusion": {
        "default": 90,
        "rules": [
            ("silicone", "PVC", 240),
            ("silicone", "PU", 240),
            ("silicone", "PEBAX", 240),
            ("PVC", "PU", 60),
            ("PU", "PVC", 75),
            ("PEBAX", "PU", 45),
        ],
    },
    "molding": {
        "default": 120,
        "rules": [("mold-hub", "mold-connector", 60), ("mold-barrel", "mold-plunger", 180)],
    },
    "assembly": {
        "default": 45,
        "rules": [("catheter", "balloon", 30), ("ivset", "catheter", 90)],
    },
    "printing": {"default": 20, "rules": []},
    "blister": {
        "default": 60,
        "rules": [("format-S", "format-M", 30), ("format-M", "format-S", 30)],
    },
}

# secondary resources (options of generate_plant)
PRESSES = ("IMM1", "IMM2", "IMM3")
MOLD_UNITS = {"mold-hub": 2, "mold-connector": 1, "mold-barrel": 2, "mold-plunger": 1}
MOLD_MOVE_MINUTES = 45  # unmount, carry to another press, mount
MOLD_SHOTS_PER_MINUTE = 2
MOLD_MAX_SHOTS = 4000  # shots between two mould maintenances
MOLD_MAINTENANCE_MINUTES = 480
# id, name, units, shift pattern, main resources, window ("setup" or "occupation")
OPERATOR_POOLS = [
    ("SETTER", "Mould setters", 2, "2x5", PRESSES, "setup"),
    ("EXTRUDER", "Extrusion technicians", 1, "24/5", ("EXT1", "EXT2"), "setup"),
    ("ASSEMBLER", "Cleanroom assemblers", 3, "24/5", ("ASM1", "ASM2", "ASM3"), "occupation"),
    ("LEAD", "Cleanroom lead operators", 2, "24/5", ("ASM1", "ASM2", "ASM3"), "occupation"),
]
# machines with a planned maintenance window every two weeks
MAINTAINED_MACHINES = PRESSES + ("EXT1", "EXT2", "ASM1", "ASM2", "ASM3", "BLS1", "BLS2")
MAINTENANCE_PERIOD = 14 * DAY
MOLD_SERVICE_PERIOD = 21 * DAY  # a mould's inspection in the tool shop (calendar gap)

EO_HOLD = 2880  # aeration / quarantine after EO sterilization (48 h)
MAX_LAG_EXTRA = 4320  # release test within 3 days after the hold (on some jobs)


def _calendar(pattern, span, leaves):
    """Available intervals over ``[0, span)`` minus ``leaves``; ``None`` when always available."""
    spec = PATTERNS[pattern]
    if spec is None and not leaves:
        return None
    intervals = []
    if spec is None:
        intervals = [(0, span)]
    elif spec == "continuous":
        week = 0
        while week * WEEK < span:
            base = week * WEEK
            intervals.append((base + 360, base + 5 * DAY + 360))
            week += 1
    else:
        for day in range(span // DAY + 1):
            for s, e in spec.get(day % 7, []):
                intervals.append((day * DAY + s, day * DAY + e))
    result = []
    for s, e in intervals:
        pieces = [(s, min(e, span))]
        for ls, le in leaves:
            nxt = []
            for a, b in pieces:
                if le <= a or ls >= b:
                    nxt.append((a, b))
                    continue
                if a < ls:
                    nxt.append((a, ls))
                if le < b:
                    nxt.append((le, b))
            pieces = nxt
        result.extend((a, b) for a, b in pieces if b > a)
    return [[a, b] for a, b in result]


def _resources(rng, span, extra_leaves=None):
    holiday = (24 * DAY, 25 * DAY)  # plant holiday on day 24 for the day-shift areas
    maintenance = {  # a few leaves: planned maintenance stops
        "IMM2": [(rng.randint(3, 20) * DAY, 0)],
        "EXT1": [(rng.randint(8, 30) * DAY, 0)],
        "EO": [(rng.randint(10, 40) * DAY, 0)],
        "ASM1": [(rng.randint(5, 25) * DAY, 0)],
        "BLS2": [(rng.randint(5, 35) * DAY, 0)],
    }
    resources = []
    for rid, name, capacity, efficiency, pattern, family, batch in WORK_CENTRES:
        leaves = [(s, s + (2 * DAY if rid == "EO" else DAY)) for s, _ in maintenance.get(rid, [])]
        if pattern in ("2x5", "1x5", "1x6"):
            leaves.append(holiday)
        leaves += (extra_leaves or {}).get(rid, [])
        res = {
            "id": rid,
            "name": name,
            "capacity": capacity,
            "efficiency": efficiency,
            "calendar": _calendar(pattern, span, sorted(leaves)),
            "changeover": {"default": 0, "rules": []},
            "batch": None,
        }
        if family:
            spec = CHANGEOVERS[family]
            res["changeover"] = {
                "default": spec["default"],
                "rules": [{"from": a, "to": b, "minutes": m} for a, b, m in spec["rules"]],
            }
        if batch:
            res["batch"] = {"max_size": batch[0], "cycle_minutes": batch[1]}
        resources.append(res)
    return resources


def _op(oid, name, modes, family=None, interruptible=True, batch_family=None, batch_size=1):
    return make_operation(
        oid,
        [make_mode(r, d, s, c) for r, d, s, c in modes],
        name=name,
        setup_family=family,
        batch_family=batch_family,
        batch_size=batch_size,
        interruptible=interruptible,
    )


def _routing(rng, kind, jid):
    """Operations of one job of product ``kind`` (without precedences)."""
    ops = []

    def add(name, modes, **kw):
        ops.append(_op(f"{jid}/{len(ops) + 1:02d}", name, modes, **kw))

    def r(a, b, step=10):
        return rng.randrange(a, b + 1, step)

    material = rng.choice(["PVC", "PU", "PEBAX", "silicone"])
    fmt = rng.choice(["format-S", "format-M", "format-L"])
    eo_family = rng.choice(["EO-A", "EO-A", "EO-B"])
    pallets = rng.choice([1, 1, 1, 2, 2])
    if kind == "hub":  # component: molded hubs / connectors
        d = r(60, 240)
        mold = rng.choice(["mold-hub", "mold-connector"])
        add(
            "Mold hubs",
            [("IMM1", d, 30, 0), ("IMM2", d, 30, 0), ("IMM3", d, 30, 0)],
            family=mold,
        )
        add("Inspect hubs", [("VIS", r(20, 40), 0, 0)])
    elif kind == "tubing":  # component: extruded tubing lot
        d = r(40, 200)
        add(
            "Extrude tubing",
            [("EXT1", d, 20, 10), ("EXT2", d + 30, 20, 10)],
            family=material,
            interruptible=False,
        )
        add("Cut tubing", [("CUT", r(20, 50), 10, 0)])
    elif kind == "catheter":
        d = r(40, 200)
        add(
            "Extrude shaft",
            [("EXT1", d, 20, 10), ("EXT2", d + 30, 20, 10)],
            family=material,
            interruptible=False,
        )
        add("Form tip", [("TIP", r(20, 80), 15, 0)])
        da = r(40, 160)
        add(
            "Assemble catheter",
            [("ASM1", da, 15, 15), ("ASM2", da, 15, 15), ("ASM3", da, 15, 15)],
            family="catheter",
        )
        add("Blister pack", [("BLS1", r(20, 80), 10, 5), ("BLS2", r(20, 80), 10, 5)], family=fmt)
        add("EO sterilization", [("EO", 600, 0, 0)], batch_family=eo_family, batch_size=pallets)
        add("QC release test", [("QC", r(20, 60), 0, 0)])
    elif kind == "syringe":
        d = r(60, 240)
        mold = rng.choice(["mold-barrel", "mold-plunger"])
        add(
            "Mold barrels",
            [("IMM1", d, 30, 0), ("IMM2", d, 30, 0), ("IMM3", d, 30, 0)],
            family=mold,
        )
        add(
            "Print scale",
            [("PRINT", r(20, 60), 10, 0)],
            family=rng.choice(["ink-black", "ink-blue"]),
        )
        da = r(40, 120)
        add(
            "Assemble syringe",
            [("ASM1", da, 15, 15), ("ASM2", da, 15, 15), ("ASM3", da, 15, 15)],
            family="syringe",
        )
        add("Blister pack", [("BLS1", r(20, 80), 10, 5), ("BLS2", r(20, 80), 10, 5)], family=fmt)
        add("EO sterilization", [("EO", 600, 0, 0)], batch_family=eo_family, batch_size=pallets)
        add("QC release test", [("QC", r(20, 60), 0, 0)])
    elif kind == "ivset":
        dw = r(20, 80)
        add("Assemble IV set", [("MAN", r(60, 240), 10, 10)])
        add("Weld spike", [("WELD1", dw, 10, 0), ("WELD2", dw, 10, 0)])
        add("Leak test", [("LEAK", r(20, 40), 0, 0)])
        add("Pouch seal", [("POUCH", r(20, 60), 15, 0)])
        add("EO sterilization", [("EO", 600, 0, 0)], batch_family=eo_family, batch_size=pallets)
        add("Sterility test", [("MICRO", r(20, 60), 0, 0)])
    else:  # balloon catheter
        d = r(40, 160)
        add(
            "Extrude shaft",
            [("EXT1", d, 20, 10), ("EXT2", d + 30, 20, 10)],
            family="PEBAX",
            interruptible=False,
        )
        add("Form balloon", [("BAL", r(20, 80), 20, 0)])
        add("Coat", [("COAT", r(20, 80), 15, 15)], interruptible=False)
        add("Cure coating", [("OVEN", 240, 0, 0)], batch_family="cure-std", batch_size=1)
        da = r(60, 160)
        add(
            "Assemble balloon catheter",
            [("ASM1", da, 15, 15), ("ASM2", da, 15, 15), ("ASM3", da, 15, 15)],
            family="balloon",
        )
        add("Bond & mark", [("BOND", r(20, 40), 0, 0)])
        add("Pouch seal", [("POUCH", r(20, 60), 15, 0)])
        add("EO sterilization", [("EO", 600, 0, 0)], batch_family=eo_family, batch_size=pallets)
        add("QC release test", [("QC", r(20, 60), 0, 0)])
    for prev, op in zip(ops, ops[1:], strict=False):
        op["predecessors"].append({"op": prev["id"], "min_lag": 0, "max_lag": None})
        if prev["name"] == "EO sterilization":
            op["predecessors"][-1]["min_lag"] = EO_HOLD
    return ops


# ---------------------------------------------------------------- witness (constructive plan)


class _Cal:
    def __init__(self, intervals):
        self.always = intervals is None
        ivs = intervals or []
        self.starts = [s for s, _ in ivs]
        self.ends = [e for _, e in ivs]
        self.prefix = [0]
        for s, e in ivs:
            self.prefix.append(self.prefix[-1] + e - s)

    def next_available(self, t):
        if self.always:
            return t
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        if i + 1 < len(self.starts):
            return self.starts[i + 1]
        return None

    def finish(self, start, work):
        """End of ``work`` available minutes from the available minute ``start``."""
        if self.always or work == 0:
            return start + work
        i = bisect.bisect_right(self.starts, start) - 1
        target = self.prefix[i] + (start - self.starts[i]) + work
        k = bisect.bisect_left(self.prefix, target) - 1
        if k >= len(self.starts):
            return None
        return self.starts[k] + target - self.prefix[k]

    def fit_window(self, t, length):
        """Earliest start >= t with [start, start+length) inside one available interval."""
        if self.always:
            return t
        i = max(bisect.bisect_right(self.starts, t) - 1, 0)
        while i < len(self.starts):
            s = max(t, self.starts[i])
            if s + length <= self.ends[i]:
                return s
            i += 1
        return None


def _co(res, a, b):
    if a is None or b is None:
        return 0
    for rule in res["changeover"]["rules"]:
        if rule["from"] == a and rule["to"] == b:
            return rule["minutes"]
    return res["changeover"]["default"] if a != b else 0


def _place_on_unit(op, mode, res, cal, t0, last_family, shelf, machine):
    """``(start, end, setup, changeover, bookings)`` of ``op`` in ``mode`` appended on
    ``machine`` (a unit of ``res``) free from ``t0``, at the earliest start at which the
    secondary resources of the mode are free too; ``None`` when the calendar has no room."""
    eff = res.get("efficiency") or 100
    change = _co(res, last_family, op.get("setup_family"))
    setup = mode.get("setup", 0) + change
    proc = -(-mode["duration"] * 100 // eff)
    work = setup + proc + mode.get("cleanup", 0)
    interruptible = op.get("interruptible", True)
    while True:
        if interruptible:
            start = cal.next_available(t0) if work else t0
            end = None if start is None else cal.finish(start, work)
        else:
            start = cal.fit_window(t0, work)
            end = None if start is None else start + work
        if end is None:
            return None
        if not mode.get("requires"):
            return start, end, setup, change, []
        setup_end = cal.finish(start, setup) if interruptible and setup else start + setup
        bookings, later = shelf.fit(mode, machine, start, end, min(setup_end, end))
        if bookings is not None:
            return start, end, setup, change, bookings
        if later is None:
            return None
        t0 = max(later, start + 1)


class _ToolShelf:
    """The witness's bookkeeping of secondary resource units: each unit is used in the order
    of the list schedule (appended after its last use), with its last machine (move minutes)
    and its cycles since the last maintenance."""

    def __init__(self, problem):
        self.version = problem.get("schema_version") or 1
        self.tools = {sec["id"]: sec for sec in problem.get("secondary_resources") or []}
        self.cals = {sid: _Cal(sec.get("calendar")) for sid, sec in self.tools.items()}
        self.free_at = {}  # (sid, unit) -> end of its last use
        self.where = {}  # (sid, unit) -> machine of its last use
        self.cycles = {
            (sid, u): (sec.get("cycles_used") or [0] * sec.get("count", 1))[u]
            for sid, sec in self.tools.items()
            for u in range(sec.get("count", 1))
        }

    def _ready(self, sid, unit, machine, cycles):
        """``(earliest begin of a use on machine, maintained first)`` for one unit."""
        tool = self.tools[sid]
        key = (sid, unit)
        last = self.free_at.get(key)
        ready = 0 if last is None else last
        if last is not None and self.where[key] != machine:
            ready += tool.get("move_minutes") or 0
        limit = tool.get("max_cycles")
        if limit is not None and self.cycles[key] + cycles > limit:
            maintenance = tool.get("maintenance_minutes") or 0
            return max(ready, (last or 0) + maintenance), True
        return ready, False

    def _window_fits(self, sid, begin, end):
        """``None`` when ``[begin, end)`` lies in one available interval of ``sid``'s calendar,
        else the next interval start (``-1`` when none)."""
        cal = self.cals[sid]
        if cal.always or end <= begin:
            return None
        i = bisect.bisect_right(cal.starts, begin) - 1
        if i >= 0 and end <= cal.ends[i]:
            return None
        return cal.starts[i + 1] if i + 1 < len(cal.starts) else -1

    def fit(self, mode, machine, start, end, setup_end):
        """``(bookings, None)`` when the units the mode requires are free for an occupation
        ``[start, end)`` on ``machine`` with its setup ending at ``setup_end``, else
        ``(None, t)``: the earliest start worth trying (``None``: never)."""
        bookings, later = [], 0
        for req in mode["requires"]:
            setup_only = req.get("during") == "setup"
            begin, finish = start, (setup_end if setup_only else end)
            ready = []
            for sid in req["any_of"]:
                closed = self._window_fits(sid, begin, finish)
                if closed == -1:
                    continue
                for unit in range(self.tools[sid].get("count", 1)):
                    at, maintain = self._ready(sid, unit, machine, req.get("cycles", 1))
                    ready.append((max(at, closed or 0), maintain, sid, unit))
            ready.sort()
            count = req.get("count", 1)
            if len(ready) < count:
                return None, None
            if ready[count - 1][0] > begin and finish > begin:
                later = max(later, ready[count - 1][0])
                continue
            usable = ready if finish <= begin else [r for r in ready if r[0] <= begin]
            usable.sort(key=lambda r: (r[1], r[0]))  # a unit needing no maintenance first
            for _at, maintain, sid, unit in usable[:count]:
                bookings.append((sid, unit, begin, finish, maintain, req.get("cycles", 1)))
        if later:
            return None, later
        return bookings, None

    def book(self, bookings, machine):
        """Record ``bookings`` (from ``fit``) on ``machine``; the plan's ``secondary`` rows."""
        rows = []
        for sid, unit, begin, end, maintain, cycles in bookings:
            key = (sid, unit)
            row = {"resource": sid, "unit": unit, "start": begin, "end": end}
            if end > begin:
                if maintain:
                    minutes = self.tools[sid].get("maintenance_minutes") or 0
                    row["maintenance"] = {"start": begin - minutes, "end": begin}
                    self.cycles[key] = 0
                if self.tools[sid].get("max_cycles") is not None:
                    self.cycles[key] += cycles
                self.free_at[key] = end
                self.where[key] = machine
            rows.append(row)
        return rows


def witness_plan(problem: dict) -> dict:
    """Job-by-job list schedule: each operation appended on the unit where it finishes first.

    Respects calendars, efficiency, setups and changeovers, batches, releases and minimum lags of
    operation and job predecessors. Maximum lags are not enforced (``generate_plant`` sets them
    no tighter than this plan). Jobs are taken by release; operations in list order, which must
    be a topological order within each job, and jobs referenced by a job predecessor must come
    earlier in that order.
    """
    resources = {r["id"]: r for r in problem["resources"]}
    cals = {rid: _Cal(r.get("calendar")) for rid, r in resources.items()}
    free = {}
    last_family = {}
    open_batches = {}  # (rid, unit) -> sorted list of [start, end, family, size, bid]
    end_of = {}
    job_finish = {}
    rows = []
    n_batches = 0
    shelf = _ToolShelf(problem)
    order = sorted(range(len(problem["jobs"])), key=lambda i: (problem["jobs"][i]["release"], i))
    for index in order:
        job = problem["jobs"][index]
        for op in job["operations"]:
            est = max(job.get("release") or 0, op.get("release") or 0)
            for pred in op.get("predecessors") or []:
                ref = end_of[pred["op"]] if pred.get("op") else job_finish[pred["job"]]
                est = max(est, ref + (pred.get("min_lag") or 0))
            best = None
            for mode in op["modes"]:
                rid = mode["resource"]
                res, cal = resources[rid], cals[rid]
                for unit in range(res.get("capacity") or 1):
                    key = (rid, unit)
                    t0 = max(est, free.get(key, 0))
                    if res.get("batch"):
                        cycle = res["batch"]["cycle_minutes"]
                        cands = []
                        lst = open_batches.get(key, [])
                        i = bisect.bisect_left(lst, [est])
                        for b in lst[i:]:
                            if (
                                b[2] == op.get("batch_family")
                                and b[2] is not None
                                and b[3] + op.get("batch_size", 1) <= res["batch"]["max_size"]
                            ):
                                cands.append((b[1], b[0], "join", b))
                                break
                        s = cal.fit_window(t0, cycle)
                        if s is not None:
                            cands.append((s + cycle, s, "new", None))
                        for end, start, how, b in cands:
                            cand = (end, start, rid, unit, how, b, 0, 0)
                            if best is None or cand[:4] < best[:4]:
                                best = cand
                        continue
                    placed = _place_on_unit(
                        op, mode, res, cal, t0, last_family.get(key), shelf, key
                    )
                    if placed is None:
                        continue
                    start, end, setup, change, bookings = placed
                    cand = (end, start, rid, unit, "op", bookings, setup, change)
                    if best is None or cand[:4] < best[:4]:
                        best = cand
            if best is None:
                raise ValueError(
                    f"operation {op['id']!r}: no calendar window left to place it "
                    "(calendars too short)"
                )
            end, start, rid, unit, how, b, setup, change = best
            key = (rid, unit)
            batch_id = None
            if how == "join":
                b[3] += op.get("batch_size", 1)
                batch_id = b[4]
            elif how == "new":
                n_batches += 1
                batch_id = f"B{n_batches:05d}"
                bisect.insort(
                    open_batches.setdefault(key, []),
                    [start, end, op.get("batch_family"), op.get("batch_size", 1), batch_id],
                )
                free[key] = end
            else:
                free[key] = end
                if end > start:
                    last_family[key] = op.get("setup_family")
            end_of[op["id"]] = end
            row = {
                "op": op["id"],
                "job": job["id"],
                "resource": rid,
                "unit": unit,
                "start": start,
                "end": end,
                "setup_minutes": setup,
                "changeover_minutes": change,
                "batch": batch_id,
            }
            if shelf.version == 2:
                row["secondary"] = shelf.book(b if how == "op" else [], key)
            rows.append(row)
        job_finish[job["id"]] = max((end_of[o["id"]] for o in job["operations"]), default=0)
    return {
        "schema_version": shelf.version,
        "status": "FEASIBLE",
        "method": "list-schedule",
        "operations": rows,
    }


# ---------------------------------------------------------------- generator


def generate_plant(
    n_jobs: int,
    seed: int = 0,
    days: int | None = None,
    *,
    molds: bool = False,
    operators: bool = False,
    maintenance: bool = False,
) -> dict:
    """Deterministic (per ``seed``) med-device plant problem with ``n_jobs`` jobs; ``molds``,
    ``operators`` and ``maintenance`` add shared moulds, operator pools and maintenance
    windows (see the module's docstring)."""
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be >= 1, got {n_jobs}")
    rng = random.Random(seed)
    # the options draw from their own stream: the plant without them stays the same
    extra_rng = random.Random(f"plant-options/{seed}")
    specs, jobs = _plant_jobs(rng, n_jobs)
    if days is None:
        days = _order_book_days(jobs)
    _plant_releases(rng, specs, jobs, days * DAY)
    # resources over a generous span, then the constructive plan
    span = (days * 4 + 120) * DAY
    extra_leaves = _maintenance_windows(extra_rng, span) if maintenance else None
    resources = _resources(rng, span, extra_leaves)
    problem = {
        "schema_version": 1,
        "origin": ORIGIN,
        "horizon": span,
        "resources": resources,
        "jobs": jobs,
        "previous_plan": {},
        "frozen_until": None,
        "objective": {
            "weighted_tardiness": 1000,
            "makespan": 1,
            "flow_time": 0,
            "changeover": 1,
            "stability": 0,
        },
    }
    if molds or operators:
        _add_secondary_resources(extra_rng, problem, span, molds, operators, maintenance)
    plan = witness_plan(problem)
    ends = {row["op"]: row["end"] for row in plan["operations"]}
    starts = {row["op"]: row["start"] for row in plan["operations"]}
    _plant_max_lags(rng, jobs, starts, ends)
    _cut_to_horizon(problem, ends)
    _plant_due_dates(rng, jobs, ends)
    return problem


def _maintenance_windows(rng, span):
    """Planned maintenance stops (calendar gaps) every two weeks on the presses, extrusion,
    assembly and blister lines: ``{resource: [(start, end), ...]}``."""
    windows = {}
    for rid in MAINTAINED_MACHINES:
        # on a weekday in the day shift: the stop takes production time on every pattern
        day = rng.choice([d for d in range(MAINTENANCE_PERIOD // DAY) if d % 7 < 5])
        t = day * DAY + 360 + 60 * rng.randrange(0, 8)
        while t < span:
            windows.setdefault(rid, []).append((t, t + rng.choice([240, 360, 480])))
            t += MAINTENANCE_PERIOD
    return windows


def _add_secondary_resources(rng, problem, span, molds, operators, maintenance):
    """Schema version 2: the moulds and operator pools, and what each mode requires."""
    problem["schema_version"] = 2
    secondary = []
    if molds:
        secondary += _molds(rng, span, maintenance)
    if operators:
        holiday = [(24 * DAY, 25 * DAY)]
        for sid, name, units, pattern, _machines, _window in OPERATOR_POOLS:
            leaves = holiday if pattern == "2x5" else []
            secondary.append(
                {"id": sid, "name": name, "count": units,
                 "calendar": _calendar(pattern, span, leaves)}
            )  # fmt: skip
    problem["secondary_resources"] = secondary
    for job in problem["jobs"]:
        for op in job["operations"]:
            for mode in op["modes"]:
                requires = _requirements(op, mode, molds, operators)
                if requires:
                    mode["requires"] = requires


def _molds(rng, span, maintenance):
    """One secondary resource per mould, fewer units than presses, with a shot limit."""
    out = []
    for family, units in MOLD_UNITS.items():
        leaves = []
        if maintenance:
            t = rng.randrange(0, MOLD_SERVICE_PERIOD, 60)
            while t < span:
                leaves.append((t, t + 480))
                t += MOLD_SERVICE_PERIOD
        out.append(
            {
                "id": family.upper(),
                "name": f"Injection mould {family.removeprefix('mold-')}",
                "count": units,
                "calendar": _calendar("24/7", span, leaves),
                "move_minutes": MOLD_MOVE_MINUTES,
                "max_cycles": MOLD_MAX_SHOTS,
                "maintenance_minutes": MOLD_MAINTENANCE_MINUTES,
                "cycles_used": [rng.randrange(0, MOLD_MAX_SHOTS // 2, 10) for _ in range(units)],
            }
        )
    return out


def _requirements(op, mode, molds, operators):
    """What ``mode`` of ``op`` holds beside its machine: its mould (the shots it takes) and
    its operators (a balloon catheter is assembled by a lead and an assembler)."""
    rid = mode["resource"]
    requires = []
    if molds and rid in PRESSES:
        shots = mode["duration"] * MOLD_SHOTS_PER_MINUTE
        requires.append({"any_of": [op["setup_family"].upper()], "count": 1, "cycles": shots})
    if not operators:
        return requires
    if op["setup_family"] == "balloon":
        return requires + [
            {"any_of": ["LEAD"], "count": 1, "during": "occupation"},
            {"any_of": ["ASSEMBLER"], "count": 1, "during": "occupation"},
        ]
    pools = [pool for pool in OPERATOR_POOLS if rid in pool[4]]
    if pools:
        requires.append({"any_of": [pool[0] for pool in pools], "count": 1, "during": pools[0][5]})
    return requires


def _plant_jobs(rng, n_jobs):
    """Finished goods, a quarter of them consuming a component job listed just before them:
    the specs ``(kind, consumer index or None)`` and the jobs with their routings."""
    kinds = ["catheter", "syringe", "ivset", "balloon"]
    kind_weights = [0.35, 0.3, 0.25, 0.1]
    specs = []
    while len(specs) < n_jobs:
        kind = rng.choices(kinds, kind_weights)[0]
        if len(specs) + 2 <= n_jobs and kind in ("catheter", "ivset") and rng.random() < 0.5:
            specs.append(("hub" if kind == "catheter" else "tubing", len(specs) + 1))
        specs.append((kind, None))
    jobs = []
    for j, (kind, _parent) in enumerate(specs):
        jid = f"MO/{j + 1:05d}"
        jobs.append(
            {
                "id": jid,
                "name": f"{kind} lot {j + 1}",
                "release": 0,
                "due": None,
                "weight": rng.choices([1, 2, 5], [0.6, 0.3, 0.1])[0],
                "operations": _routing(rng, kind, jid),
            }
        )
    return specs, jobs


def _order_book_days(jobs):
    """The order book's span in days: the busiest work-centre group about 75% loaded."""
    load = {}
    for job in jobs:
        for op in job["operations"]:
            res = op["modes"][0]["resource"]
            group = res.rstrip("0123456789")
            if res in ("EO", "OVEN"):
                cycle = 600 if res == "EO" else 240
                size = 24 if res == "EO" else 8
                work = cycle * op["batch_size"] / size * 1.3  # imperfect batching
            else:
                m = op["modes"][0]
                work = m["duration"] + m["setup"] + m["cleanup"] + 30
            load[group] = load.get(group, 0) + work
    daily = {}
    for rid, _n, cap, _e, pattern, _f, _b in WORK_CENTRES:
        per_week = {"2x5": 4800, "1x5": 2550, "1x6": 2850, "24/5": 7200, "24/7": WEEK}[pattern]
        group = rid.rstrip("0123456789")
        daily[group] = daily.get(group, 0) + cap * per_week / 7
    return max(7, math.ceil(max(w / daily[g] for g, w in load.items()) / 0.75))


def _plant_releases(rng, specs, jobs, release_span):
    """Material arrival spread over the order book; a component is released before the job
    that consumes it, which waits for it at its assembly operation."""
    for j, (_kind, parent) in enumerate(specs):
        job = jobs[j]
        if parent is not None:
            continue
        job["release"] = rng.randrange(0, max(1, int(release_span * 0.85)), 30)
        if rng.random() < 0.2:  # purchased parts arrive later for the assembly operation
            for op in job["operations"]:
                if op["name"].startswith("Assemble"):
                    op["release"] = job["release"] + rng.randrange(DAY, 5 * DAY, 60)
    for j, (_kind, parent) in enumerate(specs):
        if parent is not None:
            consumer = jobs[parent]
            jobs[j]["release"] = max(0, consumer["release"] - rng.randrange(0, 3 * DAY, 60))
            target = next(op for op in consumer["operations"] if op["name"].startswith("Assemble"))
            target["predecessors"].append({"job": jobs[j]["id"], "min_lag": 0, "max_lag": None})


def _plant_max_lags(rng, jobs, starts, ends):
    """Maximum lags after the aeration hold on about a third of the sterilized jobs, never
    tighter than the constructive plan (which stays a witness of feasibility)."""
    for job in jobs:
        for op in job["operations"]:
            for pred in op["predecessors"]:
                if pred.get("min_lag") == EO_HOLD and rng.random() < 0.35:
                    needed = starts[op["id"]] - ends[pred["op"]]
                    pred["max_lag"] = max(EO_HOLD + MAX_LAG_EXTRA, needed)


def _cut_to_horizon(problem, ends):
    """Horizon: the constructive plan plus a week, whole days; calendars cut to it."""
    horizon = (math.ceil(max(ends.values()) / DAY) + 7) * DAY
    problem["horizon"] = horizon
    for res in problem["resources"] + problem.get("secondary_resources", []):
        if res["calendar"] is not None:
            res["calendar"] = [[s, min(e, horizon)] for s, e in res["calendar"] if s < horizon]


def _plant_due_dates(rng, jobs, ends):
    """Due dates with a realistic mix of slack: tight, normal, comfortable."""
    for job in jobs:
        finish = max(ends[op["id"]] for op in job["operations"])
        lead = sum(min(m["duration"] for m in op["modes"]) for op in job["operations"])
        lead += sum(p.get("min_lag") or 0 for op in job["operations"] for p in op["predecessors"])
        draw = rng.random()
        if draw < 0.2:  # tight: promised on the pure lead time plus a day
            due = job["release"] + lead + DAY
        elif draw < 0.8:  # normal: around what a simple list schedule achieves
            due = job["release"] + int((finish - job["release"]) * rng.uniform(0.8, 1.3))
        else:  # comfortable
            due = finish + rng.randrange(2 * DAY, 10 * DAY, 60)
        job["due"] = int(math.ceil(due / 60) * 60)

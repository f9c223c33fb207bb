"""The CP-SAT models.

``PlantModel`` is the full finite-capacity model. It plans a set of *free* operations while
every other operation stays where the incumbent schedule has it (*fixed*). With all operations
free it is the monolithic model; with a time window of operations free it is one
subproblem of the decomposition (see ``decompose.py`` and ``docs/engine.md``).

Layout of the model, in build order:

1. variables per free operation: start, end, wall length (end - start), changeover minutes,
   one literal per eligible mode (resource) and per unit;
2. calendars: per mode the wall length is the working minutes plus the breaks between the
   calendar window where the operation starts and the one where it ends (one literal per
   feasible window pair, chosen exactly once); non-interruptible = same window;
3. batches: per batch-resource unit a list of optional batch slots (start, fixed cycle, one
   calendar window, one batch family, capacity by cumulative size);
4. resources: one optional interval per operation and unit, no-overlap per unit;
5. secondary resources (tools, operator pools): per requirement a choice of units among its
   alternatives, one optional interval per choice over the occupation (or the setup), a
   cumulative per secondary resource with its calendar gaps as full-capacity blocks;
6. changeovers: a circuit per unit whose families have non-zero changeovers; an arc sets the
   changeover minutes of its head;
7. releases, precedences with min/max lags (also against fixed operations), locks,
   in-progress operations, frozen window;
8. objective: weighted tardiness, makespan, flow time, changeover minutes, moved operations.

``JobShopModel`` is the lean model for pure (flexible) job shops with a makespan objective.
"""

import bisect

from ortools.sat.python import cp_model

from .schedule import Assign
from .secondary import cycles_of, name_units, requirement_window

# CP-SAT statuses that come with a solution
SOLUTION_STATUSES = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def objective_scale(problem):
    """Smallest power of ten making all objective weights integral."""
    weights = list(problem.objective.values())
    weights += [problem.objective["weighted_tardiness"] * j.weight for j in problem.jobs.values()]
    weights += [problem.objective["earliness"] * j.weight for j in problem.jobs.values()]
    for scale in (1, 10, 100, 1000):
        if all(abs(w * scale - round(w * scale)) < 1e-9 for w in weights):
            return scale
    return 1000


# CP-SAT may return a little after its own time limit (threads join, last callback)
CP_SAT_MARGIN = 0.05


class Recorder(cp_model.CpSolverSolutionCallback):
    """Calls ``on_solution(callback)`` on each improving solution (the callback can read the
    solution's values)."""

    def __init__(self, on_solution=None):
        super().__init__()
        self.on_solution = on_solution

    def on_solution_callback(self):
        if self.on_solution is not None:
            self.on_solution(self)


JOBSHOP_NO_LP_MAX_WORKERS = 2  # above, CP-SAT's own portfolio already runs an LP-free worker


def solver_parameters(time_limit, workers, seed=0, log=False, jobshop=False):
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.05, float(time_limit))
    params.num_workers = max(1, int(workers))
    params.random_seed = int(seed or 0)
    params.log_search_progress = bool(log)
    if not jobshop:
        # probing the many calendar/sequence literals costs seconds and rarely pays off here
        params.cp_model_probing_level = 0
        return solver
    # the no-overlaps are the whole job-shop model: their stronger propagation (with the
    # incumbent's makespan as horizon) took ta21-ta30 from 1.8% to 0.9% above the best known
    # from the same tabu plans in 18 s (bench/README.md, "Strong no-overlap propagation")
    params.use_strong_propagation_in_disjunctive = True
    if params.num_workers <= JOBSHOP_NO_LP_MAX_WORKERS:
        # the job-shop model has no linear part for an LP to relax (precedences and
        # no-overlaps only): the LP-free full search proves 15 x 15 Taillard instances
        # optimal in 4-18 s where the default LP worker proves one in 30 s (2 workers)
        if params.num_workers == 1:
            params.linearization_level = 0
        else:
            params.subsolvers.append("no_lp")
    return solver


# =============================================================================== plant model
class PlantModel:
    def __init__(self, problem, free, fixed, lo, hi, hint=None, batch_prefix="n"):
        """``free``: op ids to plan; ``fixed``: {op id: Assign} of every other operation;
        free operations start at or after ``lo`` and end by ``hi``; ``hint``: {op id: Assign}."""
        self.p = problem
        self.free = [o for o in problem.topo_order if o in free]
        self.free_set = set(self.free)
        self.fixed = fixed
        self.lo = max(0, lo)
        self.hi = hi
        self.hint = hint or {}
        self.batch_prefix = batch_prefix
        self.m = cp_model.CpModel()
        self.scale = objective_scale(problem)
        self.start = {}
        self.end = {}
        self.wall = {}
        self.time_bounds = {}  # op -> (lowest start, highest end)
        self.co = {}
        self.mode_lit = {}  # (op, resource) -> literal
        self.unit_lit = {}  # (op, resource, unit) -> literal
        self.work = {}  # (op, resource) -> working minutes without changeover
        self.slots = {}  # (resource, unit) -> list of slot dicts
        self.slot_lit = {}  # (op, resource, unit, k) -> literal
        self.unit_intervals = {}  # (resource, unit) -> list of intervals
        self.circuits = {}  # (resource, unit) -> circuit nodes
        self.slot_windows = []  # (slot start var, window index, start, end, literal)
        self.slot_fams = []  # (slot, resource, unit, family key, literal)
        self.finish = {}  # job -> (finish var, tardiness var | None)
        self.earliness = {}  # job -> earliness var (when the earliness weight counts)
        self.arcs = {}  # (resource, unit, from op | None, to op | None) -> literal
        # (op, resource, requirement index) -> [(secondary resource, units, literal, unit)]
        self.secondary_choice = {}
        # (tool, unit) -> [(op, resource, literal, interval, start, end)]: tools with moves
        self.tool_uses = {}
        self.tool_arcs = {}  # (tool, unit) -> {(from node, to node): literal}
        self.maintain_lits = {}  # (op, resource, tool, unit) -> maintained before the use
        self._build()

    # ------------------------------------------------------------------ helpers
    def _bool(self, name):
        return self.m.new_bool_var(name)

    def _fixed_on_unit(self):
        """Fixed occupations per unit overlapping the free region, sorted by start."""
        per_unit = {}
        for oid, a in self.fixed.items():
            if a.end <= a.start and a.batch is None:
                continue
            per_unit.setdefault((a.resource, a.unit), []).append(oid)
        for oids in per_unit.values():
            oids.sort(key=lambda o: (self.fixed[o].start, self.fixed[o].end))
        return per_unit

    def _bounds(self, op):
        """Start and end bounds of a free operation from releases, fixed neighbours, window."""
        lb = max(op.release, self.lo)
        ub_end = self.hi
        ub_start = self.hi
        lb_end = lb
        for pred in op.predecessors:
            a = self.fixed.get(pred.op)
            if a is not None:
                lb = max(lb, a.end + pred.min_lag)
                if pred.max_lag is not None:
                    ub_start = min(ub_start, a.end + pred.max_lag)
        for succ, min_lag, max_lag in op.successors:
            a = self.fixed.get(succ)
            if a is not None:
                ub_end = min(ub_end, a.start - min_lag)
                if max_lag is not None:
                    lb_end = max(lb_end, a.start - max_lag)
        pos = self.p.fixed_position(op)
        if pos is not None and not op.in_progress:
            # a fixed start before the release or a predecessor makes the model infeasible
            lb, ub_start = max(lb, pos[1]), min(ub_start, pos[1])
            if lb > ub_start:
                lb, ub_start = pos[1], pos[1]
                self.m.add_bool_or([])  # contradiction: reported as INFEASIBLE
        return lb, ub_start, lb_end, ub_end

    # ------------------------------------------------------------------ build
    def _build(self):
        """The model, one constraint family after the other (this order is the model's)."""
        self.fixed_units = self._fixed_on_unit()
        for oid in self.free:
            self._add_operation(oid)
        self._add_batches()
        self._add_unit_no_overlap()
        self._add_secondary_resources()
        self._add_changeovers()
        self._add_precedences()
        self._add_objective()
        self._add_hints()

    # ------------------------------------------------------------------ operations and modes
    def _add_operation(self, oid):
        """Start, end and wall time of a free operation, its changeover, and one literal per
        mode (resource) and unit, with the duration the mode gives it."""
        p, m = self.p, self.m
        op = p.operations[oid]
        lb, ub_start, lb_end, ub_end = self._bounds(op)
        if op.in_progress:
            lb = ub_start = op.in_progress[1]
        ub_start = max(lb, min(ub_start, ub_end))
        lb_end = max(lb_end, lb)
        ub_end = max(ub_end, lb_end)
        s = m.new_int_var(lb, ub_start, f"start[{oid}]")
        e = m.new_int_var(lb_end, ub_end, f"end[{oid}]")
        w = m.new_int_var(0, max(0, ub_end - lb), f"wall[{oid}]")
        m.add(e == s + w)
        self.start[oid], self.end[oid], self.wall[oid] = s, e, w
        self.time_bounds[oid] = (lb, ub_end)
        modes = op.modes
        pos = p.fixed_position(op)
        if pos is not None:
            modes = [op.mode_on(pos[0])]
        max_co = 0
        for mode in modes:
            max_co = max(max_co, p.resources[mode.resource].max_changeover_to(op.setup_family))
        if op.in_progress:
            max_co = 0
        self.co[oid] = m.new_int_var(0, max_co, f"changeover[{oid}]") if max_co else None
        lits = [self._add_mode(op, mode, len(modes) > 1, lb, ub_start) for mode in modes]
        if len(lits) > 1:
            m.add_exactly_one(lits)

    def _add_mode(self, op, mode, optional, lb, ub_start):
        """The literal of running ``op`` on ``mode``'s resource (and of each of its units),
        and the wall time that mode implies: in-progress remainder, batch cycle, or working
        minutes plus changeover through the calendar."""
        p, m = self.p, self.m
        oid = op.id
        res = p.resources[mode.resource]
        e, w, co = self.end[oid], self.wall[oid], self.co[oid]
        lit = self._bool(f"mode[{oid},{res.id}]") if optional else m.new_constant(1)
        self.mode_lit[(oid, res.id)] = lit
        if res.capacity > 1:
            ulits = [self._bool(f"unit[{oid},{res.id},{u}]") for u in range(res.capacity)]
            m.add(sum(ulits) == lit)
        else:
            ulits = [lit]
        for u, ul in enumerate(ulits):
            self.unit_lit[(oid, res.id, u)] = ul
        if op.in_progress:
            begin = max(op.in_progress[1], 0)
            end = self._in_progress_end(res, begin, op.in_progress[2])
            m.add(e == end).only_enforce_if(lit)
            work = None
        elif res.is_batch:
            work = res.batch_cycle
            m.add(w == work).only_enforce_if(lit)
        else:
            work = p.work_minutes(op, mode)
            # zero-length operations occupy nothing and need no changeover
            uses_co = co is not None and res.has_changeovers and work > 0
            if co is not None and not uses_co:
                m.add(co == 0).only_enforce_if(lit)
            extra = co if uses_co else 0
            if work == 0 and not uses_co:
                m.add(w == 0).only_enforce_if(lit)
            elif res.calendar.always:
                m.add(w == work + extra).only_enforce_if(lit)
            else:
                # calendar: one literal per (start window, end window) pair
                cmax = res.max_changeover_to(op.setup_family) if uses_co else 0
                self._calendar_pairs(op, res, lit, work, extra, cmax, lb, ub_start)
        self.work[(oid, res.id)] = work
        return lit

    # ------------------------------------------------------------------ resources
    def _add_batches(self):
        """Batch resources: slots (cycles) that operations of one family share."""
        for res in self.p.resources.values():
            if res.is_batch:
                self._batch_slots(res, self.fixed_units)

    def _add_unit_no_overlap(self):
        """Each unit runs one thing at a time: the free operations' optional intervals and
        the fixed occupations in the region (a batch cycle once)."""
        p, m = self.p, self.m
        for oid in self.free:
            op = p.operations[oid]
            for mode in op.modes:
                rid = mode.resource
                if (oid, rid) not in self.mode_lit:
                    continue
                res = p.resources[rid]
                if res.is_batch and not op.in_progress:
                    continue
                if self.work.get((oid, rid)) == 0:
                    continue  # occupies nothing
                for u in range(res.capacity):
                    ul = self.unit_lit[(oid, rid, u)]
                    iv = m.new_optional_interval_var(
                        self.start[oid], self.wall[oid], self.end[oid], ul, f"occ[{oid},{rid},{u}]"
                    )
                    self.unit_intervals.setdefault((rid, u), []).append(iv)
        for key, oids in self.fixed_units.items():
            seen_batches = set()
            for oid in oids:
                a = self.fixed[oid]
                if a.end <= self.lo or a.start >= self.hi:
                    continue
                if a.batch is not None:
                    if a.batch in seen_batches:
                        continue
                    seen_batches.add(a.batch)
                iv = m.new_fixed_size_interval_var(a.start, a.end - a.start, f"fixed[{oid}]")
                self.unit_intervals.setdefault(key, []).append(iv)
        for intervals in self.unit_intervals.values():
            if len(intervals) > 1:
                m.add_no_overlap(intervals)

    def _add_secondary_resources(self):
        """Tools and operator pools: every requirement of the chosen mode takes ``count``
        units among its alternatives for its window; per secondary resource a cumulative
        over those windows, the fixed operations' bookings and the calendar gaps (which
        take every unit). Units are identical: the plan names them afterwards
        (``secondary.name_units``), which the cumulative makes always possible."""
        if not self.p.has_requirements:
            return
        usage = {sid: ([], []) for sid in self.p.secondary}  # sid -> (intervals, demands)
        for oid in self.free:
            op = self.p.operations[oid]
            for mode in op.modes:
                lit = self.mode_lit.get((oid, mode.resource))
                if lit is None:
                    continue
                for k, req in enumerate(mode.requires):
                    self._add_requirement(op, mode, lit, k, req, usage)
        self._add_fixed_bookings(usage)
        self._add_secondary_calendars(usage)
        for sid, (intervals, demands) in usage.items():
            if intervals:
                self.m.add_cumulative(intervals, demands, self.p.secondary[sid].count)
        self._add_tool_moves()

    def _add_requirement(self, op, mode, lit, k, req, usage):
        """The units ``op`` takes for requirement ``k`` of ``mode`` (present with ``lit``):
        one alternative takes them all at once; several share them out, one literal per
        unit (the k-th unit of an alternative only after its (k-1)-th). A tool with move
        minutes has one literal per named unit (where each unit is matters)."""
        m = self.m
        oid, rid = op.id, mode.resource
        secondary = self.p.secondary
        if len(req.any_of) == 1 and not secondary[req.any_of[0]].named:
            choice = [(req.any_of[0], req.count, lit, None)]
        else:
            choice = []
            for sid in req.any_of:
                if secondary[sid].named:
                    for u in range(secondary[sid].count):
                        x = self._bool(f"takes[{oid},{rid},{k},{sid}#{u}]")
                        choice.append((sid, 1, x, u))
                    continue
                previous = None
                for n in range(min(req.count, secondary[sid].count)):
                    unit_lit = self._bool(f"takes[{oid},{rid},{k},{sid},{n}]")
                    if previous is not None:
                        m.add_implication(unit_lit, previous)
                    choice.append((sid, 1, unit_lit, None))
                    previous = unit_lit
            m.add(sum(x for _sid, _n, x, _u in choice) == req.count * lit)
        self.secondary_choice[(oid, rid, k)] = choice
        interval = self._requirement_interval(op, mode, req, k)
        for sid, units, x, u in choice:
            if interval is None:
                continue
            start, size, end = interval
            self._add_valid_until(req, sid, x, end)
            iv = m.new_optional_interval_var(start, size, end, x, f"holds[{oid},{rid},{k},{sid}]")
            if u is None:
                usage[sid][0].append(iv)
                usage[sid][1].append(units)
            else:
                self.tool_uses.setdefault((sid, u), []).append((oid, rid, x, iv, start, end))

    def _add_valid_until(self, req, sid, x, end):
        """A unit of ``sid`` taken (``x``) for ``req`` ends its window by the requirement's
        ``valid_until`` of ``sid`` (a lapsing qualification)."""
        for key, limit in req.valid_until:
            if key != sid:
                continue
            if isinstance(end, int):
                if end > limit:
                    self.m.add(x == 0)
            else:
                self.m.add(end <= limit).only_enforce_if(x)

    def _requirement_interval(self, op, mode, req, k):
        """``(start, size, end)`` of the window a requirement is held, or None if empty."""
        oid, rid = op.id, mode.resource
        res = self.p.resources[rid]
        if op.in_progress:
            begin = max(op.in_progress[1], 0)
            end = self._in_progress_end(res, begin, op.in_progress[2])
            if req.setup_only or end <= begin:
                return None
            return begin, end - begin, end
        if self.work.get((oid, rid)) == 0:
            return None  # occupies nothing
        s = self.start[oid]
        if not req.setup_only:
            return s, self.wall[oid], self.end[oid]
        co = self.co[oid] if (self.co[oid] is not None and res.has_changeovers) else 0
        setup = mode.setup + co
        if isinstance(setup, int) and setup == 0:
            return None
        if not res.calendar.always and op.interruptible:
            # the model keeps a setup that needs a helper inside its first calendar window
            # (the setup end is then start + setup); the dispatcher and the validator also
            # allow it to span a break
            for i, _j, y in self.window_lits.get((oid, rid), ()):
                self.m.add(s + setup <= res.calendar.ends[i]).only_enforce_if(y)
        if isinstance(setup, int):
            return s, setup, s + setup
        # an interval's end must be affine: start + setup + changeover gets its own variable
        lb, ub_end = self.time_bounds[oid]  # start <= setup end <= end
        setup_end = self.m.new_int_var(lb, ub_end, f"setup_end[{oid},{rid},{k}]")
        self.m.add(setup_end == s + setup)
        return s, setup, setup_end

    def _add_fixed_bookings(self, usage):
        """Units the fixed operations hold inside the region."""
        for oid, a in self.fixed.items():
            for sid, _u, begin, end in a.secondary:
                if self.p.secondary[sid].named:
                    continue  # a node of its unit's sequence (_add_tool_moves)
                if end > begin and end > self.lo and begin < self.hi:
                    iv = self.m.new_fixed_size_interval_var(begin, end - begin, f"held[{oid}]")
                    usage[sid][0].append(iv)
                    usage[sid][1].append(1)

    def _add_secondary_calendars(self, usage):
        """A calendar gap of a secondary resource inside the region takes all its units."""
        for sid, sec in self.p.secondary.items():
            if not usage[sid][0]:
                continue
            for a, b in self._calendar_gaps(sec.calendar):
                iv = self.m.new_fixed_size_interval_var(a, b - a, f"closed[{sid},{a}]")
                usage[sid][0].append(iv)
                usage[sid][1].append(sec.count)

    def _add_tool_moves(self):
        """Tools whose units differ (move minutes, cycle limits): per unit, a no-overlap
        with its calendar gaps, and a circuit over its uses (free ones, fixed ones in the
        region and the fixed neighbours just outside it): an arc from a use on one machine
        to a use on another keeps the move minutes between them, and carries the unit's
        cycles from one use to the next unless a maintenance right before the next resets
        them."""
        for (sid, u), uses in self.tool_uses.items():
            tool = self.p.secondary[sid]
            fixed = sorted(
                (begin, end, oid, (a.resource, a.unit))
                for oid, a in self.fixed.items()
                for sid2, u2, begin, end in a.secondary
                if (sid2, u2) == (sid, u) and end > begin
            )
            inside = [f for f in fixed if f[1] > self.lo and f[0] < self.hi]
            before = [f for f in fixed if f[1] <= self.lo][-1:]
            after = [f for f in fixed if f[0] >= self.hi][:1]
            gaps = [
                self.m.new_fixed_size_interval_var(a, b - a, f"closed[{sid}#{u},{a}]")
                for a, b in self._calendar_gaps(tool.calendar)
            ]
            fixed_ivs = [
                self.m.new_fixed_size_interval_var(b, e - b, f"held[{oid},{sid}#{u}]")
                for b, e, oid, _where in inside
            ]
            self.m.add_no_overlap([iv for *_x, iv, _s, _e in uses] + gaps + fixed_ivs)
            self._tool_circuit(sid, u, tool, uses, before, inside, after)

    def _incumbent_cycles(self, sid, u):
        """``{op: cycles of unit u after its use}`` in the hinted (incumbent) schedule."""
        tool = self.p.secondary[sid]
        schedule = {**self.hint, **self.fixed}
        uses = sorted(
            (begin, end, oid)
            for oid, a in schedule.items()
            for sid2, u2, begin, end in a.secondary
            if (sid2, u2) == (sid, u) and end > begin
        )
        used = tool.cycles_used[u]
        after = {}
        for _b, _e, oid in uses:
            a = schedule[oid]
            mode = self.p.operations[oid].mode_on(a.resource)
            used = (0 if (sid, u) in a.maintained else used) + cycles_of(mode, sid)
            after[oid] = used
        return after

    def _tool_circuit(self, sid, u, tool, uses, before, inside, after):
        """One unit of a tool that moves or wears: a circuit over its uses (free and fixed),
        arcs keeping the move minutes between machines and carrying the cycle count."""
        limited = tool.max_cycles is not None
        incumbent = self._incumbent_cycles(sid, u) if limited and (before or after) else {}
        nodes, first_key, last_key = self._tool_nodes(sid, u, uses, before, inside, after, limited)
        used = {}
        if limited:
            used = self._tool_cycle_counts(sid, u, tool, nodes, first_key, last_key, incumbent)
        chosen = self.tool_arcs.setdefault((sid, u), {})
        index = {node[0]: k + 1 for k, node in enumerate(nodes)}
        arcs = self._tool_end_arcs(sid, u, tool, nodes, index, first_key, last_key, used, chosen)
        arcs += self._tool_next_arcs(sid, u, tool, nodes, index, first_key, last_key, used, chosen)
        self.m.add_circuit(arcs)

    def _tool_nodes(self, sid, u, uses, before, inside, after, limited):
        """The circuit's nodes: ``(key, present literal or None, begin, end, {machine:
        literal or True}, cycles it takes, maintained before: literal or bool)``, free uses
        first, then the fixed ones; and the keys of the first and last fixed use when the
        region has uses before or after it."""
        m = self.m
        nodes = []
        for oid, rid, x, _iv, start, end in uses:
            res = self.p.resources[rid]
            if res.capacity == 1:
                where = {(rid, 0): True}
            else:
                where = {(rid, v): self.unit_lit[(oid, rid, v)] for v in range(res.capacity)}
            cycles = cycles_of(self.p.operations[oid].mode_on(rid), sid)
            maint = self._bool(f"maintain[{oid},{rid},{sid}#{u}]") if limited else False
            if limited:
                m.add_implication(maint, x)
                self.maintain_lits[(oid, rid, sid, u)] = maint
            nodes.append(((oid, rid), x, start, end, where, cycles, maint))
        for b, e, oid, machine_of in before + inside + after:
            a = self.fixed[oid]
            cycles = cycles_of(self.p.operations[oid].mode_on(a.resource), sid)
            nodes.append(
                ((oid, None), None, b, e, {machine_of: True}, cycles, (sid, u) in a.maintained)
            )
        first_key = (before[0][2], None) if before else None
        last_key = (after[0][2], None) if after else None
        return nodes, first_key, last_key

    def _tool_cycle_counts(self, sid, u, tool, nodes, first_key, last_key, incumbent):
        """The unit's cycle count after each use; the use before the region keeps its
        incumbent count and the one after it may not get more than it had."""
        m = self.m
        used = {}
        for node in nodes:
            key = node[0]
            if key == first_key:
                used[key] = incumbent[key[0]]  # nothing before it changes
            else:
                used[key] = m.new_int_var(0, tool.max_cycles, f"cycles[{key[0]},{sid}#{u}]")
        if last_key is not None:
            # the uses after the region were counted from it: never more than before
            m.add(used[last_key] <= incumbent[last_key[0]])
        return used

    def _tool_end_arcs(self, sid, u, tool, nodes, index, first_key, last_key, used, chosen):
        """Skipping a free use, and the arcs from and to the circuit's depot."""
        arcs = []
        limited = tool.max_cycles is not None
        for key, x, begin, _end, _where, cycles, maint in nodes:
            if x is not None:
                arcs.append((index[key], index[key], ~x))
            if first_key is None or key == first_key:
                lit = self._bool(f"tool_first[{sid}#{u},{key[0]}]")
                arcs.append((0, index[key], lit))
                chosen[(None, key)] = lit
                if limited and key != first_key:
                    self._carry_cycles(
                        lit, used[key], tool.cycles_used[u], cycles, maint, begin, 0, tool
                    )
            if last_key is None or key == last_key:
                lit = self._bool(f"tool_last[{sid}#{u},{key[0]}]")
                arcs.append((index[key], 0, lit))
                chosen[(key, None)] = lit
        return arcs

    def _tool_next_arcs(self, sid, u, tool, nodes, index, first_key, last_key, used, chosen):
        """One use after another: in time, with the move minutes between machines and the
        cycles carried over."""
        m = self.m
        move = tool.move_minutes
        limited = tool.max_cycles is not None
        arcs = []
        for key, x, _begin, end, where, _cycles, _maint in nodes:
            if key == last_key:
                continue
            for key2, x2, begin2, _end2, where2, cycles2, maint2 in nodes:
                if key2 in (key, first_key) or key2[0] == key[0]:
                    continue
                if x is None and x2 is None:
                    moves = any(w not in where2 for w in where)
                    gap = max(move if moves else 0, tool.maintenance_minutes if maint2 else 0)
                    if end + gap > begin2:
                        continue  # fixed uses out of order or too close
                lit = self._bool(f"tool_next[{sid}#{u},{key[0]},{key2[0]}]")
                arcs.append((index[key], index[key2], lit))
                chosen[(key, key2)] = lit
                if x is not None or x2 is not None:
                    m.add(begin2 >= end).only_enforce_if(lit)
                    if move:
                        self._move_gap(lit, end, begin2, where, where2, move)
                if limited:
                    self._carry_cycles(
                        lit, used[key2], used[key], cycles2, maint2, begin2, end, tool
                    )
        return arcs

    def _carry_cycles(self, arc, used_next, used_before, cycles, maintained, begin, ready, tool):
        """On ``arc`` into a use taking ``cycles``: its unit's cycles after it are those
        before plus its own, or its own alone after a maintenance right before it (which
        starts at ``ready`` at the earliest, the previous use's end)."""
        m = self.m
        if maintained is True:
            m.add(used_next == cycles).only_enforce_if(arc)
            m.add(begin >= ready + tool.maintenance_minutes).only_enforce_if(arc)
            return
        if maintained is False:
            m.add(used_next == used_before + cycles).only_enforce_if(arc)
            return
        m.add(used_next == cycles).only_enforce_if([arc, maintained])
        m.add(begin >= ready + tool.maintenance_minutes).only_enforce_if([arc, maintained])
        m.add(used_next == used_before + cycles).only_enforce_if([arc, ~maintained])

    def _move_gap(self, arc, end, begin2, where, where2, move):
        """On arc ``arc``, a use on another machine starts ``move`` minutes after ``end``."""
        for machine_key, on_first in where.items():
            on_second = where2.get(machine_key)
            if on_second is True:
                continue  # the second is on this machine: no move from it
            condition = [arc]
            if on_first is not True:
                condition.append(on_first)
            if on_second is not None:
                condition.append(~on_second)
            self.m.add(begin2 >= end + move).only_enforce_if(condition)

    def _calendar_gaps(self, calendar):
        """Gaps of ``calendar`` inside the region ``[lo, hi)``."""
        if calendar.always:
            return []
        gaps = []
        previous_end = self.lo
        for a, b in calendar.windows:
            if a > previous_end:
                gaps.append((previous_end, min(a, self.hi)))
            previous_end = max(previous_end, b)
        if previous_end < self.hi:
            gaps.append((previous_end, self.hi))
        return [(a, b) for a, b in gaps if b > a]

    def _add_changeovers(self):
        """Sequence-dependent changeovers: a circuit over the operations of each unit."""
        for res in self.p.resources.values():
            if res.is_batch or not res.has_changeovers:
                continue
            for u in range(res.capacity):
                self._changeover_circuit(res, u, self.fixed_units.get((res.id, u), []))

    # ------------------------------------------------------------------ precedences and lags
    def _add_precedences(self):
        """Minimum and maximum lags between free operations (fixed ones are in the bounds)."""
        m = self.m
        for oid in self.free:
            op = self.p.operations[oid]
            if op.in_progress:
                continue
            for pred in op.predecessors:
                if pred.op in self.free_set:
                    m.add(self.start[oid] >= self.end[pred.op] + pred.min_lag)
                    if pred.max_lag is not None:
                        m.add(self.start[oid] <= self.end[pred.op] + pred.max_lag)

    def _in_progress_end(self, res, begin, remaining):
        if remaining == 0:
            return begin
        start = res.calendar.next_available(begin)
        return res.calendar.finish(start, remaining)

    def _calendar_pairs(self, op, res, lit, work, extra, cmax, lb, ub_start):
        m = self.m
        oid = op.id
        cal = res.calendar
        s, e, w = self.start[oid], self.end[oid], self.wall[oid]
        n = len(cal.windows)
        i = bisect.bisect_right(cal.ends, lb)  # first window ending after lb
        pairs = []
        while i < n and cal.starts[i] <= ub_start:
            a_i, e_i = cal.windows[i]
            s_min = max(a_i, lb)
            s_max = min(e_i - 1, ub_start)
            if s_min > s_max:
                i += 1
                continue
            if not op.interruptible:
                if e_i - s_min >= work:
                    pairs.append((i, i, s_min, min(s_max, e_i - work)))
            else:
                end_lo = cal.finish(s_min, work)
                end_hi = cal.finish(s_max, work + cmax)
                if end_lo is None:
                    break
                j_lo = cal.window_index(end_lo - 1) if end_lo > s_min else i
                j_hi = n - 1 if end_hi is None else cal.window_index(end_hi - 1)
                for j in range(j_lo, j_hi + 1):
                    if cal.starts[j] >= self.hi:
                        break
                    pairs.append((i, j, s_min, s_max))
            i += 1
        if not pairs:
            m.add(lit == 0)
            return
        y_lits = []
        for i, j, s_min, s_max in pairs:
            y = self._bool(f"win[{oid},{res.id},{i},{j}]")
            y_lits.append(y)
            self.window_lits.setdefault((oid, res.id), []).append((i, j, y))
            m.add(s >= s_min).only_enforce_if(y)
            m.add(s <= s_max).only_enforce_if(y)
            a_j, e_j = cal.windows[j]
            breaks = 0 if i == j else (a_j - cal.ends[i]) - (cal.cum[j] - cal.cum[i + 1])
            m.add(w == work + extra + breaks).only_enforce_if(y)
            m.add(e <= e_j).only_enforce_if(y)
            if work > 0:
                m.add(e >= a_j + 1).only_enforce_if(y)
        m.add(sum(y_lits) == lit)

    @property
    def window_lits(self):
        if not hasattr(self, "_window_lits"):
            self._window_lits = {}
        return self._window_lits

    def _batch_slots(self, res, fixed_units):
        """Batch resource ``res``: per unit, slots (the fixed batches with room, then one
        optional new slot per eligible operation) and each operation in exactly one slot of
        the unit it is on."""
        ops = self.p.operations
        members = [o for o in self.free if (o, res.id) in self.mode_lit and not ops[o].in_progress]
        assign_lits = {o: [] for o in members}
        for u in range(res.capacity):
            key = (res.id, u)
            eligible = [o for o in members if (o, res.id, u) in self.unit_lit]
            slots = self._fixed_batch_slots(res, fixed_units.get(key, []))
            slots += self._new_batch_slots(res, u, len(eligible))
            self.slots[key] = slots
            for k, slot in enumerate(slots):
                self._batch_slot_members(res, u, k, slot, eligible, assign_lits)
        for o in members:
            for u in range(res.capacity):
                lits = [x for uu, x in assign_lits[o] if uu == u]
                self.m.add(sum(lits) == self.unit_lit[(o, res.id, u)])

    @staticmethod
    def _batch_family_key(op):
        return op.batch_family if op.batch_family is not None else ("solo", op.id)

    def _fixed_batch_slots(self, res, fixed_oids):
        """Fixed batches of one unit inside the window that still have room (an in-progress
        batch takes nobody)."""
        ops = self.p.operations
        fixed_batches = {}
        for oid in fixed_oids:
            a = self.fixed[oid]
            if a.batch is None or a.end <= self.lo or a.start >= self.hi:
                continue
            fb = fixed_batches.setdefault(
                a.batch, {"start": a.start, "size": 0, "family": self._batch_family_key(ops[oid])}
            )
            fb["size"] += ops[oid].batch_size
            if ops[oid].in_progress:
                fb["family"] = ("in progress", oid)
        slots = []
        for bid, fb in fixed_batches.items():
            if fb["size"] < res.batch_max_size and isinstance(fb["family"], str):
                slots.append(
                    {
                        "batch": bid,
                        "used": self.m.new_constant(1),
                        "start": self.m.new_constant(fb["start"]),
                        "room": res.batch_max_size - fb["size"],
                        "family": fb["family"],
                    }
                )
        return slots

    def _new_batch_slots(self, res, u, count):
        """``count`` optional cycles on unit ``u``, used in order, each inside one calendar
        window."""
        m = self.m
        cycle = res.batch_cycle
        cal = res.calendar
        new_slots = []
        for k in range(count):
            used = self._bool(f"slot_used[{res.id},{u},{k}]")
            st = m.new_int_var(
                self.lo, max(self.lo, self.hi - cycle), f"slot_start[{res.id},{u},{k}]"
            )
            iv = m.new_optional_fixed_size_interval_var(st, cycle, used, f"slot[{res.id},{u},{k}]")
            self.unit_intervals.setdefault((res.id, u), []).append(iv)
            if not cal.always:
                wins = []
                for wi, (a_w, e_w) in enumerate(cal.windows):
                    if e_w - a_w < cycle or e_w <= self.lo or a_w >= self.hi:
                        continue
                    wl = self._bool(f"slot_win[{res.id},{u},{k},{wi}]")
                    self.slot_windows.append((st, wi, a_w, e_w, wl))
                    m.add(st >= a_w).only_enforce_if(wl)
                    m.add(st + cycle <= e_w).only_enforce_if(wl)
                    wins.append(wl)
                m.add(sum(wins) == used)
            slot = {
                "batch": None,
                "used": used,
                "start": st,
                "room": res.batch_max_size,
                "family": None,
                "fams": {},
            }
            if new_slots:
                prev = new_slots[-1]
                m.add_implication(used, prev["used"])
                m.add(st >= prev["start"]).only_enforce_if(used)
            new_slots.append(slot)
        return new_slots

    def _batch_slot_members(self, res, u, k, slot, eligible, assign_lits):
        """Which eligible operations go into slot ``k``: same start, one family, room."""
        m = self.m
        ops = self.p.operations
        sizes = []
        for o in eligible:
            op = ops[o]
            fk = self._batch_family_key(op)
            if slot["family"] is not None and slot["family"] != fk:
                continue
            x = self._bool(f"in_batch[{o},{res.id},{u},{k}]")
            self.slot_lit[(o, res.id, u, k)] = x
            assign_lits[o].append((u, x))
            sizes.append((op.batch_size, x))
            m.add(self.start[o] == slot["start"]).only_enforce_if(x)
            m.add_implication(x, slot["used"])
            if slot["family"] is None:
                if fk not in slot["fams"]:
                    slot["fams"][fk] = self._bool(f"slot_fam[{res.id},{u},{k}]")
                    self.slot_fams.append((k, res.id, u, fk, slot["fams"][fk]))
                m.add_implication(x, slot["fams"][fk])
        if slot.get("fams"):
            m.add_at_most_one(slot["fams"].values())
        if sizes:
            m.add(sum(sz * x for sz, x in sizes) <= slot["room"])
        if slot["batch"] is None and sizes:
            m.add_bool_or([x for _sz, x in sizes]).only_enforce_if(slot["used"])
        elif slot["batch"] is None:
            m.add(slot["used"] == 0)

    def _changeover_circuit(self, res, u, fixed_oids):
        m = self.m
        ops = self.p.operations
        free_nodes = [
            o
            for o in self.free
            if (o, res.id, u) in self.unit_lit
            and (self.work.get((o, res.id)) or self._in_progress_length(o, res))
        ]
        fams = {ops[o].setup_family for o in free_nodes}
        fixed_in = [
            o for o in fixed_oids if self.fixed[o].end > self.lo and self.fixed[o].start < self.hi
        ]
        fams |= {ops[o].setup_family for o in fixed_in}
        if not free_nodes:
            return
        left = [o for o in fixed_oids if self.fixed[o].end <= self.lo]
        right = [o for o in fixed_oids if self.fixed[o].start >= self.hi]
        L = left[-1] if left else None
        R = right[0] if right else None
        fixed_nodes = ([L] if L else []) + fixed_in + ([R] if R else [])
        fams |= {ops[o].setup_family for o in fixed_nodes}
        if all(res.changeover(a, b) == 0 for a in fams for b in fams):
            for o in free_nodes:
                if self.co[o] is not None:
                    m.add(self.co[o] == 0).only_enforce_if(self.unit_lit[(o, res.id, u)])
            return
        nodes = fixed_nodes + free_nodes
        self.circuits[(res.id, u)] = nodes
        index = {o: k + 1 for k, o in enumerate(nodes)}
        arcs = []
        for o in nodes:
            is_free = o in self.free_set
            lit_o = self.unit_lit[(o, res.id, u)] if is_free else None
            fam_o = ops[o].setup_family
            if is_free:
                arcs.append((index[o], index[o], ~lit_o))
            # depot -> o (o first)
            if L is None or o == L:
                lit = self._bool(f"first[{res.id},{u},{o}]")
                arcs.append((0, index[o], lit))
                self.arcs[(res.id, u, None, o)] = lit
            # o -> depot (o last)
            if R is None or o == R:
                lit = self._bool(f"last[{res.id},{u},{o}]")
                arcs.append((index[o], 0, lit))
                self.arcs[(res.id, u, o, None)] = lit
            for o2 in nodes:
                if o2 in (o, L) or o == R:
                    continue
                is_free2 = o2 in self.free_set
                c = res.changeover(fam_o, ops[o2].setup_family)
                if not is_free and not is_free2:
                    a1, a2 = self.fixed[o], self.fixed[o2]
                    if a1.end > a2.start or c > self._coalloc(o2):
                        continue
                elif not is_free2 and c > self._coalloc(o2):
                    continue
                elif is_free2 and ops[o2].in_progress and c > 0:
                    continue
                lit = self._bool(f"next[{res.id},{u},{o},{o2}]")
                arcs.append((index[o], index[o2], lit))
                self.arcs[(res.id, u, o, o2)] = lit
                end_o = self.end[o] if is_free else self.fixed[o].end
                start_o2 = self.start[o2] if is_free2 else self.fixed[o2].start
                if is_free or is_free2:
                    m.add(start_o2 >= end_o).only_enforce_if(lit)
                if is_free2 and self.co[o2] is not None and c > 0:
                    m.add(self.co[o2] >= c).only_enforce_if(lit)
        m.add_circuit(arcs)

    def _in_progress_length(self, oid, res):
        ip = self.p.operations[oid].in_progress
        if not ip:
            return 0
        return self._in_progress_end(res, max(ip[1], 0), ip[2]) - ip[1]

    def _coalloc(self, oid):
        a = self.fixed[oid]
        if a.batch is not None or self.p.operations[oid].in_progress:
            return 0
        mode = self.p.operations[oid].mode_on(a.resource)
        return max(0, a.setup - mode.setup)

    # ------------------------------------------------------------------ objective
    def _add_objective(self):
        """Minimize the weighted sum of makespan, job tardiness and flow time, changeover
        minutes and moved operations (weights scaled to integers)."""
        w = {k: v * self.scale for k, v in self.p.objective.items()}
        terms = self._makespan_terms(w)
        terms += self._job_terms(w)
        terms += self._changeover_terms(w)
        terms += self._stability_terms(w)
        if terms:
            self.m.minimize(sum(terms))

    def _makespan_terms(self, w):
        m = self.m
        self.makespan = None
        if w["makespan"] <= 0:
            return []
        fixed_max_end = max((a.end for a in self.fixed.values()), default=0)
        mk = m.new_int_var(max(0, fixed_max_end), max(self.hi, fixed_max_end), "makespan")
        for oid in self.free:
            m.add(mk >= self.end[oid])
        self.makespan = mk
        return [round(w["makespan"]) * mk]

    def _job_terms(self, w):
        """Finish (and tardiness) of each job with a free operation."""
        p, m = self.p, self.m
        terms = []
        touched = {}
        for oid in self.free:
            touched.setdefault(p.operations[oid].job, []).append(oid)
        for jid, oids in touched.items():
            job = p.jobs[jid]
            fixed_end = max(
                (self.fixed[o].end for o in job.operations if o in self.fixed), default=None
            )
            tard_w = w["weighted_tardiness"] * job.weight
            early_w = w["earliness"] * job.weight if job.due is not None else 0
            need_finish = (tard_w > 0 and job.due is not None) or w["flow_time"] > 0 or early_w > 0
            if not need_finish:
                continue
            lb_f = max(fixed_end or 0, 0)
            fin = m.new_int_var(lb_f, max(self.hi, lb_f), f"finish[{jid}]")
            ends = [self.end[o] for o in oids]
            if fixed_end is not None:
                ends.append(m.new_constant(fixed_end))
            m.add_max_equality(fin, ends)
            self.finish[jid] = [fin, None, fixed_end]
            if tard_w > 0 and job.due is not None:
                tard = m.new_int_var(0, max(0, self.hi - job.due, lb_f - job.due), f"tard[{jid}]")
                m.add(tard >= fin - job.due)
                self.finish[jid][1] = tard
                terms.append(round(tard_w) * tard)
            if w["flow_time"] > 0:
                terms.append(round(w["flow_time"]) * fin)
            if early_w > 0:
                # just in time: each minute finished before the due date costs
                early = m.new_int_var(0, max(0, job.due - lb_f), f"early[{jid}]")
                m.add(early >= job.due - fin)
                self.earliness[jid] = early
                terms.append(round(early_w) * early)
        return terms

    def _changeover_terms(self, w):
        if w["changeover"] <= 0:
            return []
        return [
            round(w["changeover"]) * self.co[oid] for oid in self.free if self.co[oid] is not None
        ]

    def _stability_terms(self, w):
        """A literal per operation of the previous plan: not moved means its previous start
        on its previous resource; each move costs the stability weight."""
        p, m = self.p, self.m
        terms = []
        self.moved = {}
        for oid in self.free:
            prev = p.previous_plan.get(oid)
            if prev is None or p.fixed_position(p.operations[oid]) is not None:
                continue
            rid, pstart = prev
            lit = self.mode_lit.get((oid, rid))
            if lit is None:
                continue
            moved = self._bool(f"moved[{oid}]")
            self.moved[oid] = moved
            m.add(self.start[oid] == pstart).only_enforce_if(~moved)
            m.add_implication(~moved, lit)
            if w["stability"] > 0:
                terms.append(round(w["stability"]) * moved)
        return terms

    def _hint(self, var, value):
        if isinstance(var, cp_model.IntVar):
            self._hints[var.index] = (var, int(value))
        else:  # negated literal
            self._hints[var.negated().index] = (var.negated(), 1 - int(value))

    def _add_hints(self):
        if not self.hint:
            return
        m = self.m
        self._hints = {}
        ops = self.p.operations
        for oid in self.free:
            a = self.hint.get(oid)
            if a is None:
                continue
            self._hint(self.start[oid], a.start)
            self._hint(self.end[oid], a.end)
            self._hint(self.wall[oid], a.end - a.start)
            for mode in ops[oid].modes:
                rid = mode.resource
                lit = self.mode_lit.get((oid, rid))
                if lit is None:
                    continue
                self._hint(lit, 1 if rid == a.resource else 0)
                res = self.p.resources[rid]
                if res.capacity > 1:
                    for u in range(res.capacity):
                        self._hint(
                            self.unit_lit[(oid, rid, u)],
                            1 if (u == a.unit and rid == a.resource) else 0,
                        )
                if (
                    self.co[oid] is not None
                    and rid == a.resource
                    and not res.is_batch
                    and not ops[oid].in_progress
                ):
                    self._hint(self.co[oid], max(0, a.setup - mode.setup))
                wins = self.window_lits.get((oid, rid))
                if not wins:
                    continue
                cal = res.calendar
                i = cal.window_index(a.start)
                j = cal.window_index(a.end - 1) if a.end > a.start else i
                for wi, wj, y in wins:
                    self._hint(y, 1 if (rid == a.resource and (wi, wj) == (i, j)) else 0)
        self._hint_sequences()
        self._hint_secondary()
        for var, value in self._hints.values():
            m.add_hint(var, value)

    def _hint_sequences(self):
        """Hints of the sequencing, batching and objective variables, from the hinted plan."""
        for (rid, u), nodes in self.circuits.items():
            self._hint_unit_sequence(rid, u, nodes)
        for (rid, u), slots in self.slots.items():
            self._hint_batch_slots(rid, u, slots)
        self._hint_objective()

    def _hint_secondary(self):
        """The units each requirement takes from each alternative in the hinted plan."""
        for (oid, rid, k), choice in self.secondary_choice.items():
            a = self.hint.get(oid)
            if a is None or (len(choice) == 1 and choice[0][3] is None):
                continue
            taken = {}
            if a.resource == rid:
                req = self.p.operations[oid].mode_on(rid).requires[k]
                for sid, _u, _b, _e in a.secondary:
                    if sid in req.any_of:
                        taken[sid] = taken.get(sid, 0) + 1
            seen = {}
            units = {(sid, u) for sid, u, _b, _e in a.secondary} if a.resource == rid else set()
            for sid, _n, x, unit in choice:
                if unit is not None:
                    self._hint(x, 1 if (sid, unit) in units else 0)
                    maint = self.maintain_lits.get((oid, rid, sid, unit))
                    if maint is not None:
                        kept = (sid, unit) in units and (sid, unit) in a.maintained
                        self._hint(maint, 1 if kept else 0)
                    continue
                seen[sid] = seen.get(sid, 0) + 1
                self._hint(x, 1 if seen[sid] <= taken.get(sid, 0) else 0)
        self._hint_tool_sequences()

    def _hint_tool_sequences(self):
        """The circuit arcs of each tool unit: the hinted order of its uses."""
        for (sid, u), arcs in self.tool_arcs.items():
            uses = []
            for oid in {key[0] for pair in arcs for key in pair if key is not None}:
                a = self.fixed.get(oid) or self.hint.get(oid)
                if a is None:
                    continue
                for sid2, u2, begin, end in a.secondary:
                    if (sid2, u2) == (sid, u) and end > begin:
                        key = (oid, None) if oid in self.fixed else (oid, a.resource)
                        uses.append((begin, end, key))
            keys = [key for _b, _e, key in sorted(uses)]
            chosen = set(zip([None, *keys], [*keys, None], strict=True)) if keys else set()
            for pair, lit in arcs.items():
                self._hint(lit, 1 if pair in chosen else 0)

    def _hint_unit_sequence(self, rid, u, nodes):
        """The circuit arcs of one unit: the hinted order of its operations."""
        hint = self.hint
        on_unit = []
        for o in nodes:
            a = self.fixed.get(o) or hint.get(o)
            if a is not None and a.resource == rid and a.unit == u:
                on_unit.append((a.start, a.end, o))
        on_unit.sort()
        seq = [o for _s, _e, o in on_unit]
        chosen = set()
        if seq:
            chosen.add((None, seq[0]))
            chosen.add((seq[-1], None))
        for a, b in zip(seq, seq[1:], strict=False):
            chosen.add((a, b))
        for (r2, u2, a, b), lit in self.arcs.items():
            if (r2, u2) == (rid, u):
                self._hint(lit, 1 if (a, b) in chosen else 0)

    def _hint_batch_slots(self, rid, u, slots):
        """The batch slots of one batch unit: the hinted batches, in start order, go into the
        new slots; fixed batches keep theirs."""
        hint = self.hint
        batches = {}
        for o in self.free:
            a = hint.get(o)
            if a is not None and a.resource == rid and a.unit == u and a.batch is not None:
                batches.setdefault(a.batch, []).append(o)
        fixed_k = {slot["batch"]: k for k, slot in enumerate(slots) if slot["batch"]}
        new_k = [k for k, slot in enumerate(slots) if not slot["batch"]]
        order = sorted(
            (b for b in batches if b not in fixed_k), key=lambda b: hint[batches[b][0]].start
        )
        slot_of = dict(fixed_k)
        for b, k in zip(order, new_k, strict=False):
            slot_of[b] = k
        member_slot = {}
        for b, members in batches.items():
            if b in slot_of:
                for o in members:
                    member_slot[o] = slot_of[b]
        used_k = {}
        for b, k in slot_of.items():
            if b in batches:
                used_k[k] = hint[batches[b][0]].start
        for k in new_k:
            slot = slots[k]
            self._hint(slot["used"], 1 if k in used_k else 0)
            if k in used_k:
                self._hint(slot["start"], used_k[k])
        slot_family = {}
        for (o, r2, u2, k), lit in self.slot_lit.items():
            if (r2, u2) == (rid, u):
                self._hint(lit, 1 if member_slot.get(o) == k else 0)
                if member_slot.get(o) == k:
                    op = self.p.operations[o]
                    fk = op.batch_family if op.batch_family is not None else ("solo", o)
                    slot_family[k] = fk
        for k, r2, u2, fk, lit in self.slot_fams:
            if (r2, u2) == (rid, u):
                self._hint(lit, 1 if slot_family.get(k) == fk else 0)
        cycle = self.p.resources[rid].batch_cycle
        for k in new_k:
            st = slots[k]["start"]
            for st2, _wi, a_w, e_w, wl in self.slot_windows:
                if st2 is st:
                    inside = k in used_k and a_w <= used_k[k] and used_k[k] + cycle <= e_w
                    self._hint(wl, 1 if inside else 0)

    def _hint_objective(self):
        """Makespan, job finishes and tardiness, and the moved literals of the hinted plan."""
        hint = self.hint
        ends = {o: hint[o].end for o in self.free if o in hint}
        if self.makespan is not None and ends:
            fixed_max = max((a.end for a in self.fixed.values()), default=0)
            self._hint(self.makespan, max(*ends.values(), fixed_max))
        for jid, (fin, tard, fixed_end) in self.finish.items():
            vals = [ends[o] for o in self.p.jobs[jid].operations if o in ends]
            if fixed_end is not None:
                vals.append(fixed_end)
            if vals:
                f = max(vals)
                self._hint(fin, f)
                if tard is not None:
                    self._hint(tard, max(0, f - self.p.jobs[jid].due))
                if jid in self.earliness:
                    self._hint(self.earliness[jid], max(0, self.p.jobs[jid].due - f))
        for oid, moved in self.moved.items():
            a = hint.get(oid)
            if a is not None:
                rid, pstart = self.p.previous_plan[oid]
                self._hint(moved, 0 if (a.resource == rid and a.start == pstart) else 1)

    # ------------------------------------------------------------------ read back
    def read(self, solver):
        """{op id: Assign} of the free operations in the solver's solution."""
        p = self.p
        ops = p.operations
        out = {}
        for oid in self.free:
            op = ops[oid]
            rid = None
            for mode in op.modes:
                lit = self.mode_lit.get((oid, mode.resource))
                if lit is not None and solver.boolean_value(lit):
                    rid = mode.resource
                    break
            res = p.resources[rid]
            unit = 0
            for u in range(res.capacity):
                if solver.boolean_value(self.unit_lit[(oid, rid, u)]):
                    unit = u
                    break
            start = solver.value(self.start[oid])
            end = solver.value(self.end[oid])
            co = solver.value(self.co[oid]) if self.co[oid] is not None else 0
            mode = op.mode_on(rid)
            setup = 0 if (res.is_batch or op.in_progress) else mode.setup + co
            out[oid] = Assign(rid, unit, start, end, setup, None)
        # batches: name the used slots
        for (rid, u), slots in self.slots.items():
            for k, slot in enumerate(slots):
                members = [
                    o
                    for o in self.free
                    if (o, rid, u, k) in self.slot_lit
                    and solver.boolean_value(self.slot_lit[(o, rid, u, k)])
                ]
                if not members:
                    continue
                bid = slot["batch"] or f"{rid}#{u}/{self.batch_prefix}{k}"
                for o in members:
                    out[o].batch = bid
        for oid, a in out.items():
            if ops[oid].in_progress and p.resources[a.resource].is_batch:
                a.batch = f"{a.resource}#{a.unit}/ip-{oid}"
        if self.secondary_choice:
            self._read_secondary(solver, out)
        return out

    def _read_secondary(self, solver, out):
        """The units each free operation takes, counted per secondary resource, then named
        together with the fixed operations' (renamed fixed operations are returned too)."""
        for oid, a in out.items():
            op = self.p.operations[oid]
            bookings = []
            for k, req in enumerate(op.mode_on(a.resource).requires):
                begin, end = requirement_window(self.p, op, a, req)
                for sid, units, x, unit in self.secondary_choice[(oid, a.resource, k)]:
                    if solver.boolean_value(x):
                        bookings += [(sid, unit, begin, end)] * units
            a.secondary = tuple(bookings)
            a.maintained = tuple(
                (sid, u)
                for sid, u, _b, _e in bookings
                if (oid, a.resource, sid, u) in self.maintain_lits
                and solver.boolean_value(self.maintain_lits[(oid, a.resource, sid, u)])
            )
        out.update(name_units(self.p, self.fixed, out))


# ============================================================================= job-shop model
class JobShopModel:
    """Lean model for (flexible) job shops: makespan only, no calendars, setups, batches."""

    def __init__(self, problem, hint=None, horizon=None):
        p = self.p = problem
        m = self.m = cp_model.CpModel()
        ops = p.operations
        if horizon is None:
            horizon = sum(max(p.work_minutes(o, md) for md in o.modes) for o in ops.values())
        self.start, self.end, self.choice = {}, {}, {}
        per_machine = {}
        for oid in p.topo_order:
            op = ops[oid]
            durations = {md.resource: p.work_minutes(op, md) for md in op.modes}
            s = m.new_int_var(0, horizon, f"s[{oid}]")
            if len(durations) == 1:
                rid, d = next(iter(durations.items()))
                iv = m.new_fixed_size_interval_var(s, d, f"i[{oid}]")
                per_machine.setdefault(rid, []).append(iv)
                self.end[oid] = s + d
                self.choice[oid] = {rid: None}
            else:
                e = m.new_int_var(0, horizon, f"e[{oid}]")
                lits = {}
                for rid, d in durations.items():
                    lit = m.new_bool_var(f"x[{oid},{rid}]")
                    iv = m.new_optional_interval_var(s, d, e, lit, f"i[{oid},{rid}]")
                    per_machine.setdefault(rid, []).append(iv)
                    lits[rid] = lit
                m.add_exactly_one(lits.values())
                dmin, dmax = min(durations.values()), max(durations.values())
                m.add(e >= s + dmin)
                m.add(e <= s + dmax)
                self.end[oid] = e
                self.choice[oid] = lits
            self.start[oid] = s
        for intervals in per_machine.values():
            m.add_no_overlap(intervals)
        for oid in p.topo_order:
            for pred in ops[oid].predecessors:
                m.add(self.start[oid] >= self.end[pred.op] + pred.min_lag)
        self.makespan = m.new_int_var(0, horizon, "makespan")
        sinks = [o for o in p.topo_order if not ops[o].successors]
        m.add_max_equality(self.makespan, [self.end[o] for o in sinks])
        m.minimize(self.makespan)
        self.scale = 1
        if hint:
            for oid, a in hint.items():
                m.add_hint(self.start[oid], a.start)
                lits = self.choice[oid]
                if len(lits) > 1:
                    for rid, lit in lits.items():
                        m.add_hint(lit, 1 if rid == a.resource else 0)
                    m.add_hint(self.end[oid], a.end)
            m.add_hint(self.makespan, max(a.end for a in hint.values()))

    def read(self, solver):
        out = {}
        for oid, lits in self.choice.items():
            if len(lits) == 1:
                rid = next(iter(lits))
            else:
                rid = next(r for r, lit in lits.items() if solver.boolean_value(lit))
            s = solver.value(self.start[oid])
            e = solver.value(self.end[oid])
            out[oid] = Assign(rid, 0, s, e, 0, None)
        return out

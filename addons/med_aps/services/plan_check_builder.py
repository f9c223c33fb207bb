"""The problem a stored plan is checked against (``med.aps.plan.check``).

The same reading of Odoo's records as a run's (``ProblemBuilder``), for a plan that is
already written: each work order's modes are those of the work center it is planned on (the
validator checks a plan against the mode of its resource; the alternatives, whose durations
Odoo computes one by one, are what makes a run's reading slow), no previous plan is read (the
check has no frozen window), each work order's duration is the one its run planned (with the
learned ratio of actual to planned durations where that run planned with them), locked work
is checked like the rest at its place (a run keeps it where it is), the horizon reaches the
plan's last end, and master data that keeps one work order from being planned is noted for
that work order (``workorder_errors``) instead of stopping the reading.
"""

from .problem_builder import ProblemBuilder, sql_id_array


class PlanCheckProblemBuilder(ProblemBuilder):
    """``ProblemBuilder`` of a company's stored plan, for the plan check."""

    def __init__(self, run, origin=None):
        super().__init__(run, origin=origin)
        self.learned_runs = set()  # ids of the runs that planned with learned durations
        self.workorder_errors = {}  # wo id -> why it cannot be planned (the first reason)

    def _workorder_error(self, workorder, message):
        self.workorder_errors.setdefault(workorder.id, message)

    def _horizon(self, workorders):
        horizon = super()._horizon(workorders)
        self.env.cr.execute(
            "SELECT MAX(date_finished) FROM mrp_workorder WHERE id = ANY(%s::int[])",
            [sql_id_array(workorders.ids)],
        )
        last_end = self.env.cr.fetchone()[0]
        if last_end:
            horizon = max(horizon, self.to_minutes(last_end, "ceil") + 1440)
        return horizon

    def _build_operation(self, workorder, workcenters, fixed_kind, workorder_ids):
        operation = super()._build_operation(workorder, workcenters, fixed_kind, workorder_ids)
        if fixed_kind == "locked":
            # checked at its place: its working time, duration and what it waits for
            occupation = operation["in_progress"]
            operation["in_progress"] = None
            operation["locked"] = {
                "resource": occupation["resource"],
                "start": occupation["start"],
            }
        return operation

    def _candidate_workcenters(self, workorders):
        candidates = {}
        Workcenter = self.env["mrp.workcenter"]
        for workorder_id in workorders.ids:
            if not self.stored[workorder_id].workcenter_id:
                self._error(
                    self.env._(
                        "Work order %s has no work center.",
                        self.scope.names["WO/%d" % workorder_id],
                    )
                )
            candidates[workorder_id] = Workcenter.browse(self.stored[workorder_id].workcenter_id)
        return candidates

    def _previous_plan_entry(self, workorder):
        return None

    def _read_duration_factors(self):
        run_ids = {stored.run_id for stored in self.stored.values() if stored.run_id}
        runs = self.env["med.aps.run"].browse(run_ids)
        self.learned_runs = set(runs.filtered("use_learned_durations").ids)
        if not self.learned_runs:
            return {}
        return self._learned_duration_factors()

    def _duration_factor(self, workorder, workcenter):
        stored = self.stored[workorder.id]
        if (
            not self.duration_factors
            or stored.run_id not in self.learned_runs
            or stored.fixed_kind == "progress"
        ):
            return None
        # locked work too: it was planned with the ratio before it was locked
        return self.duration_factors.get((stored.operation_id, workcenter.id))

    def planned_by_a_run(self, workorder_id):
        """Whether a run wrote the work order's dates: the plan the check checks (dates of
        Odoo's own, or of no planning at all, are no plan of med_aps)."""
        return bool(self.stored[workorder_id].run_id)

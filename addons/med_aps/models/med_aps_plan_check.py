import logging
import time
from contextlib import contextmanager
from datetime import timedelta

import psycopg2.errors
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError

from med_aps_engine import validate_details

from ..services.plan_check_builder import PlanCheckProblemBuilder
from ..services.plan_reader import PlanReader
from ..services.problem_builder import PlanningDataError
from .med_aps_plan_issue import CHECKED_RULES

_logger = logging.getLogger(__name__)


class _SerializationFailureFilter(logging.Filter):
    """Drops the cursor's "bad query" record of a serialization failure (handled by the
    caller, and retried by Odoo wherever else it happens meanwhile); every other failed
    query is logged as usual."""

    def filter(self, record):
        args = record.args if isinstance(record.args, tuple) else ()
        return not any(isinstance(arg, psycopg2.errors.SerializationFailure) for arg in args)


@contextmanager
def _serialization_failures_unlogged():
    sql_logger = logging.getLogger("odoo.sql_db")
    quiet = _SerializationFailureFilter()
    sql_logger.addFilter(quiet)
    try:
        yield
    finally:
        sql_logger.removeFilter(quiet)


OPEN_PRODUCTION_STATES = ("confirmed", "progress", "to_close")
# a planned start this many minutes in the past without the work order started is a problem
NOT_STARTED_GRACE_MINUTES = 30
# finished checks older than this are deleted by the scheduled action
KEEP_CHECKS_DAYS = 7
# minutes from an event or a plan written to the check that answers it
CHECK_SOON_MINUTES = 1


# Two work orders of one work-center unit at the same time (see ``_aps_find_overlaps``); %s is
# the open work orders' query. In start order on each unit, a running maximum of the ends
# finds the work that starts before the work before it has ended; only those are paired.
OVERLAPS_SQL = """
    WITH open_wo AS (%s),
    first_start AS (
        SELECT workcenter_id, MIN(date_start) AS date_start
          FROM open_wo GROUP BY workcenter_id
    ),
    finished_wo AS (
        -- finished after the first planned start of an open one on its work center
        SELECT wo.id, wo.production_id, wo.workcenter_id, wo.date_start,
               wo.date_finished, wo.state, wo.aps_unit, wo.aps_batch_ref
          FROM mrp_workorder wo
          JOIN first_start ON first_start.workcenter_id = wo.workcenter_id
          JOIN mrp_production mo ON mo.id = wo.production_id
         WHERE wo.state = 'done' AND wo.date_finished > first_start.date_start
           AND mo.company_id = %%(company)s
    ),
    timed AS (
        SELECT wo.*,
               CASE WHEN wo.state = 'progress'
                    THEN GREATEST(wo.date_finished, %%(now)s)
                    ELSE wo.date_finished END AS date_end,
               wo.state = 'done'
               OR (wo.state = 'progress' AND wo.date_finished < %%(now)s) AS ran_late
          FROM (SELECT * FROM open_wo UNION ALL SELECT * FROM finished_wo) wo
    ),
    keyed AS (
        -- a batch's work orders start together and run as one: one group
        SELECT timed.*, GREATEST(aps_unit, 1) AS unit_key,
               COALESCE('B:' || aps_batch_ref, 'W:' || id) AS group_key
          FROM timed
    ),
    grouped AS (
        SELECT workcenter_id, unit_key, date_start, group_key,
               MAX(date_end) AS date_end
          FROM keyed GROUP BY workcenter_id, unit_key, date_start, group_key
    ),
    swept AS (
        -- in start order on each unit, the latest end so far (a running maximum: a
        -- frame that stops before the current row is recomputed for every row)
        SELECT grouped.*,
               MAX(date_end) OVER (
                   PARTITION BY workcenter_id, unit_key
                   ORDER BY date_start, group_key
                   ROWS UNBOUNDED PRECEDING
               ) AS ended_so_far
          FROM grouped
    ),
    late_starters AS MATERIALIZED (
        -- only work starting before the latest end of the work before it overlaps
        -- something (pairing every work order with every other one of its unit grew
        -- with the square of the plan)
        SELECT keyed.*
          FROM (
              SELECT workcenter_id, unit_key, date_start, group_key,
                     LAG(ended_so_far) OVER (
                         PARTITION BY workcenter_id, unit_key
                         ORDER BY date_start, group_key
                     ) AS ended_before
                FROM swept
          ) previous
          JOIN keyed USING (workcenter_id, unit_key, date_start, group_key)
         WHERE previous.ended_before > previous.date_start
    ),
    pairs AS (
        -- each of them with the work before it on its unit that ends after it starts
        SELECT later.workcenter_id, later.id AS later_id,
               later.production_id AS later_production_id,
               later.ran_late AS later_ran_late, later.state AS later_state,
               later.date_start AS later_start, later.date_end AS later_end,
               later.aps_unit AS later_unit, later.aps_batch_ref AS later_batch,
               earlier.*
          FROM late_starters later
         CROSS JOIN LATERAL (
              SELECT keyed.id AS earlier_id,
                     keyed.production_id AS earlier_production_id,
                     keyed.ran_late AS earlier_ran_late, keyed.state AS earlier_state,
                     keyed.date_start AS earlier_start, keyed.date_end AS earlier_end,
                     keyed.aps_unit AS earlier_unit, keyed.aps_batch_ref AS earlier_batch
                FROM keyed
               WHERE keyed.workcenter_id = later.workcenter_id
                 AND keyed.unit_key = later.unit_key
                 AND (keyed.date_start, keyed.group_key)
                     < (later.date_start, later.group_key)
                 AND keyed.date_end > later.date_start
              -- for the work orders found above only, not flattened into a join of
              -- every pair
              OFFSET 0
         ) earlier
    )
    -- the pair by id: the first is the one with the smaller id
    SELECT LEAST(earlier_id, later_id) AS id,
           CASE WHEN earlier_id < later_id THEN earlier_production_id
                ELSE later_production_id END AS production_id,
           pairs.workcenter_id,
           CASE WHEN earlier_id < later_id THEN earlier_ran_late
                ELSE later_ran_late END AS ran_late,
           CASE WHEN earlier_id < later_id THEN earlier_state
                ELSE later_state END AS state,
           GREATEST(earlier_id, later_id) AS other_id,
           CASE WHEN earlier_id < later_id THEN later_production_id
                ELSE earlier_production_id END AS other_production_id,
           CASE WHEN earlier_id < later_id THEN later_ran_late
                ELSE earlier_ran_late END AS other_ran_late,
           CASE WHEN earlier_id < later_id THEN later_state
                ELSE earlier_state END AS other_state,
           LEAST(earlier_end, later_end) AS overlap_end,
           GREATEST(earlier_start, later_start) AS overlap_start
      FROM pairs
      JOIN mrp_workcenter wc ON wc.id = pairs.workcenter_id
     WHERE earlier_start < later_end AND later_start < earlier_end
       AND (earlier_batch IS NULL OR later_batch IS NULL OR earlier_batch <> later_batch)
       AND (wc.aps_parallel_capacity <= 1 OR (earlier_unit > 0 AND later_unit > 0))
       -- under a minute is the plan's rounding to whole minutes, not an overlap
       AND LEAST(earlier_end, later_end) - GREATEST(earlier_start, later_start)
           >= interval '1 minute'
       -- a finished one matters to work not started yet (the rest is history)
       AND NOT (earlier_state = 'done' AND later_state IN ('done', 'progress'))
       AND NOT (later_state = 'done' AND earlier_state IN ('done', 'progress'))
    """


class MedApsPlanCheck(models.Model):
    """The stored plan checked against the shop floor, per company.

    The execution facts are SQL queries over the stored work orders and Odoo's execution
    records (time logs, work-center blocking, component availability): work orders running
    past their planned end or not started at their planned start, overlaps on one work center
    unit (as planned, or after a late finish), work planned on a blocked work center, material
    later than the planned start, deadlines passed or no longer met by the plan. The planning
    rules are the engine's validator's, on the stored plan against the problem read now
    (``_aps_find_rule_breaks``). Cheap enough to run after every event; the latest check of a
    company is what the screens show. Addons add finders by extending
    ``_aps_issue_finders``."""

    _name = "med.aps.plan.check"
    _description = "Plan Health Check"
    _order = "id desc"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    duration_ms = fields.Integer("Duration (ms)", readonly=True)
    issue_ids = fields.One2many("med.aps.plan.issue", "check_id", "Issues", readonly=True)
    issue_count = fields.Integer(compute="_compute_issue_count", store=True)

    @api.depends("issue_ids")
    def _compute_issue_count(self):
        for check in self:
            check.issue_count = len(check.issue_ids)

    # ------------------------------------------------------------------ running a check
    @api.model
    def _aps_check_company(self, company):
        """Check ``company``'s stored plan now; the new check replaces the earlier ones."""
        start = time.perf_counter()
        now = fields.Datetime.now()
        self.env["mrp.workorder"].flush_model()
        self.env["mrp.production"].flush_model()
        self.env["mrp.workcenter"].flush_model(["working_state"])
        vals = []
        for finder in self._aps_issue_finders():
            vals += getattr(self, finder)(company, now)
        check = self.sudo().create(
            {
                "company_id": company.id,
                "date": now,
                "issue_ids": [Command.create(v) for v in vals],
            }
        )
        check.duration_ms = round(1000 * (time.perf_counter() - start))
        self.sudo().search([("company_id", "=", company.id), ("id", "!=", check.id)]).unlink()
        # work running past its planned end with no button pressed: a plan event (once per
        # overrun step), so that a repair follows (this check needs no other after it)
        self.env["med.aps.plan.event"].with_context(aps_plan_checked=True)._aps_record_overruns(
            company, [v for v in vals if v["kind"] == "overrun" and v.get("workorder_id")]
        )
        return check

    @api.model
    def _aps_check_soon(self, company):
        """Check ``company``'s plan as soon as the scheduled action can (after an event or a
        plan written): the screens show the plan's health within moments, not at the next
        of its 10 minutes. Requests that come before it runs are answered by one check, and
        other companies are not checked for them."""
        cron = self.env.ref("med_aps.ir_cron_med_aps_plan_check", raise_if_not_found=False)
        if not cron or self.env.context.get("aps_plan_checked"):
            return
        Request = self.env["med.aps.plan.check.request"].sudo()
        # one request per company and transaction is enough (a burst of events); only this
        # transaction's own count (stamped with its start): another transaction's request
        # may be answered by a check that cannot see what this one changes
        requested = Request.search_count(
            [("company_id", "=", company.id), ("create_date", "=", self.env.cr.now())], limit=1
        )
        if not requested:
            Request.create({"company_id": company.id})
        # a minute on: the events of a busy minute are answered by one check
        cron.sudo()._trigger(fields.Datetime.now() + timedelta(minutes=CHECK_SOON_MINUTES))

    @api.model
    def action_check_now(self):
        """Check the current company's plan now (planners) and show its issues."""
        if not self.env.user.has_group("med_aps.group_aps_planner"):
            raise AccessError(
                self.env._(
                    "Only APS planners can check the plan (user %s is not an APS Planner).",
                    self.env.user.name,
                )
            )
        self._aps_check_company(self.env.company)
        action = self.env["ir.actions.act_window"]._for_xml_id("med_aps.action_med_aps_plan_issue")
        return action

    @api.model
    def _cron_check_plans(self):
        """Scheduled action: check the companies that have open manufacturing orders, all of
        them at its regular calls (what changed with no event: time passing, edits), at a
        call that requests brought forward those of ``_aps_companies_to_check``.

        A plan written meanwhile by another worker (a run, a repair) can make the check's
        snapshot conflict with it; that company is skipped and checked again in a minute
        instead of failing the others. A company whose check fails otherwise is logged and
        checked again at the next regular call; the others are checked all the same."""
        now = fields.Datetime.now()
        Request = self.env["med.aps.plan.check.request"].sudo()
        requests = Request.search([])
        companies = self.env["mrp.production"]._read_group(
            [("state", "in", OPEN_PRODUCTION_STATES)], ["company_id"]
        )
        companies = self.env["res.company"].union(*(company for (company,) in companies))
        if not self._aps_regular_call(self.env.cr.now()):
            companies = self._aps_companies_to_check(companies, requests, now)
        skipped = self.env["res.company"]
        for company in companies:
            try:
                with _serialization_failures_unlogged(), self.env.cr.savepoint():
                    self.with_company(company)._aps_check_company(company)
            except psycopg2.errors.SerializationFailure:
                _logger.info(
                    "Plan check of %s skipped: its plan was being written (checked again in "
                    "a minute)",
                    company.name,
                )
                skipped |= company
                self._aps_check_soon(company)
            except Exception:  # noqa: BLE001 - one company's data must not stop the others'
                # checks, nor get the scheduled action switched off for failing; the regular
                # calls try again
                _logger.exception("Plan check of %s failed", company.name)
        # every request this call saw is answered (checked, or nothing open to check) but a
        # skipped company's; one committed after its snapshot is the next call's
        requests.filtered(lambda request: request.company_id not in skipped).unlink()

    @api.model
    def _aps_regular_call(self, now):
        """Whether the scheduled action runs at its interval (its next call is due at
        ``now``, the database's clock, Odoo's for it; Odoo moves it on once the call is
        over), not brought forward by a trigger or run by hand (*Run Manually* checks the
        companies asked for, as a trigger does)."""
        cron = self.env.ref("med_aps.ir_cron_med_aps_plan_check", raise_if_not_found=False)
        return not cron or cron.sudo().nextcall <= now

    @api.model
    def _aps_companies_to_check(self, companies, requests, now):
        """Those of ``companies`` a call brought forward checks: the companies of
        ``requests`` (an event recorded or a plan written since they were last checked),
        those never checked, and those last checked an interval of the action ago or more
        (a regular call missed)."""
        cron = self.env.ref("med_aps.ir_cron_med_aps_plan_check", raise_if_not_found=False)
        interval = cron and relativedelta(
            **{cron.sudo().interval_type: cron.sudo().interval_number}
        )
        # a minute's margin: the action's calls drift by the seconds each check takes
        stale = now - interval + timedelta(minutes=CHECK_SOON_MINUTES) if cron else now
        latest = dict(
            self.sudo()._read_group(
                [("company_id", "in", companies.ids)], ["company_id"], ["date:max"]
            )
        )
        return companies.filtered(
            lambda company: (
                company in requests.company_id or company not in latest or latest[company] <= stale
            )
        )

    @api.model
    def _aps_latest(self, company):
        return self.sudo().search([("company_id", "=", company.id)], limit=1)

    # ------------------------------------------------------------------ finders
    @api.model
    def _aps_issue_finders(self):
        """Names of the methods ``(company, now) -> [issue vals]`` a check runs."""
        return [
            "_aps_find_overruns",
            "_aps_find_not_started",
            "_aps_find_overlaps",
            "_aps_find_blocked_workcenters",
            "_aps_find_material",
            "_aps_find_deadlines",
            "_aps_find_rule_breaks",
        ]

    def _aps_open_workorders_sql(self):
        return """
            SELECT wo.id, wo.production_id, wo.workcenter_id, wo.date_start, wo.date_finished,
                   wo.state, wo.aps_unit, wo.aps_batch_ref
              FROM mrp_workorder wo
              JOIN mrp_production mo ON mo.id = wo.production_id
             WHERE mo.company_id = %(company)s AND mo.state IN %(open)s
               AND wo.state NOT IN ('done', 'cancel')
        """

    def _aps_query(self, sql, company, now, **params):
        self.env.cr.execute(
            sql, {"company": company.id, "open": OPEN_PRODUCTION_STATES, "now": now, **params}
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _aps_find_overruns(self, company, now):
        rows = self._aps_query(
            "SELECT * FROM (%s) wo WHERE wo.state = 'progress' AND wo.date_finished < %%(now)s"
            % self._aps_open_workorders_sql(),
            company,
            now,
        )
        return [
            {
                "kind": "overrun",
                "workorder_id": row["id"],
                "production_id": row["production_id"],
                "workcenter_id": row["workcenter_id"],
                "hours": (now - row["date_finished"]).total_seconds() / 3600.0,
                "date": row["date_finished"],
            }
            for row in rows
        ]

    @api.model
    def _aps_find_not_started(self, company, now):
        rows = self._aps_query(
            "SELECT * FROM (%s) wo WHERE wo.state IN ('ready', 'blocked') "
            "AND wo.date_start < %%(limit)s" % self._aps_open_workorders_sql(),
            company,
            now,
            limit=now - timedelta(minutes=NOT_STARTED_GRACE_MINUTES),
        )
        return [
            {
                "kind": "not_started",
                "severity": "1",
                "workorder_id": row["id"],
                "production_id": row["production_id"],
                "workcenter_id": row["workcenter_id"],
                "hours": (now - row["date_start"]).total_seconds() / 3600.0,
                "date": row["date_start"],
            }
            for row in rows
        ]

    @api.model
    def _aps_find_overlaps(self, company, now):
        """Two work orders at the same time on one unit of a work center, outside a shared
        batch: as planned, or because one ran past its planned end into the next one's planned
        slot (a work order still running counts until now; one finished counts until it
        actually ended)."""
        rows = self._aps_query(OVERLAPS_SQL % self._aps_open_workorders_sql(), company, now)
        vals = []
        for row in rows:
            # filed on the work order that ran late, unless it is finished: then on the open
            # one it overlaps (what the planner acts on), the finished one named as the cause
            late, other = (
                ("other_", "") if row["other_ran_late"] and not row["ran_late"] else ("", "other_")
            )
            finished_late = row[late + "state"] == "done"
            if finished_late:
                late, other = other, late
            vals.append(
                {
                    "kind": "overlap",
                    "workorder_id": row[late + "id"],
                    "other_workorder_id": row[other + "id"],
                    "production_id": row[late + "production_id"],
                    "workcenter_id": row["workcenter_id"],
                    "ran_late": row["ran_late"] or row["other_ran_late"],
                    "other_finished_late": finished_late,
                    "hours": (row["overlap_end"] - row["overlap_start"]).total_seconds() / 3600.0,
                }
            )
        return vals

    @api.model
    def _aps_find_blocked_workcenters(self, company, now):
        """Work planned on a work center blocked for planning (``mrp.workcenter._aps_blocked``:
        not by a setup under way)."""
        blocked = self.env["mrp.workcenter"].search([("working_state", "=", "blocked")])
        rows = self._aps_query(
            "SELECT wo.* FROM (%s) wo WHERE wo.workcenter_id = ANY(%%(blocked)s) "
            "AND wo.state <> 'progress'" % self._aps_open_workorders_sql(),
            company,
            now,
            blocked=blocked._aps_blocked().ids,
        )
        return [
            {
                "kind": "blocked_workcenter",
                "workorder_id": row["id"],
                "production_id": row["production_id"],
                "workcenter_id": row["workcenter_id"],
                "date": row["date_start"],
            }
            for row in rows
        ]

    @api.model
    def _aps_find_material(self, company, now):
        """Orders not started whose components come after their planned start (Odoo's own
        component availability): when they are expected, or not at all."""
        productions = self.env["mrp.production"].search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "confirmed"),
                ("reservation_state", "!=", "assigned"),
                ("date_start", "!=", False),
            ]
        )
        late = productions.filtered(
            lambda mo: mo.components_availability_state in ("late", "unavailable")
        )
        vals = []
        for production in late:
            # as Odoo dates the components: the last one expected (none when one is missing)
            expected = production.components_availability_state == "late" and max(
                production.move_raw_ids.filtered("forecast_expected_date").mapped(
                    "forecast_expected_date"
                ),
                default=False,
            )
            vals.append(
                {
                    "kind": "material",
                    "production_id": production.id,
                    "date": production.date_start,
                    "date_expected": expected,
                }
            )
        return vals

    @api.model
    def _aps_find_deadlines(self, company, now):
        """Open orders past their deadline or planned to finish after it (once each)."""
        rows = self._aps_query(
            "SELECT id, date_deadline, aps_planned_finish "
            "FROM mrp_production WHERE company_id = %(company)s AND state IN %(open)s "
            "AND (date_deadline < %(now)s OR aps_is_late)",
            company,
            now,
        )
        Production = self.env["mrp.production"]
        return [
            {
                "kind": "deadline",
                "production_id": row["id"],
                "date": row["date_deadline"],
                "date_expected": row["aps_planned_finish"],
                # from the dates, as its message says it (the order's stored hours are
                # rounded to two decimals: rounded again, 14.149 h would read 14.2)
                "hours": Production._aps_hours_late(
                    row["aps_planned_finish"], row["date_deadline"]
                ),
            }
            for row in rows
        ]

    @api.model
    def _aps_find_rule_breaks(self, company, now):
        """Work whose stored plan breaks a planning rule as the records are now: the engine's
        validator on the stored plan (``PlanReader``) against the company's problem read at
        the check (``PlanCheckProblemBuilder``): work in closed time (time off added), given
        less time than its work needs (quantity or routing changed), before what it waits
        for, after its longest wait, without its changeover, in a broken batch, with tools or
        operators that no longer fit. Only work a run planned is checked (other dates are
        no plan of med_aps); work whose planned start has passed is the not-started finder's;
        overlaps, material and running work are the other finders'."""
        origin = now.replace(second=0, microsecond=0)
        run = self.env["med.aps.run"].sudo().with_company(company).new({"company_id": company.id})
        builder = PlanCheckProblemBuilder(run, origin=origin)
        try:
            with self.env.cr.savepoint():
                return self._aps_rule_break_issues(builder)
        except PlanningDataError as error:
            return [{"kind": "rule", "rule": "data", "detail": str(error)[:500]}]
        except psycopg2.errors.SerializationFailure:
            raise  # the scheduled action checks this company at its next run
        except Exception as error:
            # the execution facts are still worth showing: this finder says why it failed
            _logger.exception(
                "Plan check of %s: the planning rules could not be read", company.name
            )
            return [{"kind": "rule", "rule": "data", "detail": repr(error)[:500]}]

    def _aps_rule_break_issues(self, builder):
        problem, scope = builder.build()
        plan = PlanReader(scope).read_plan()
        placed = {entry["op"]: entry for entry in plan["operations"]}
        checked = dict(CHECKED_RULES)
        vals = {}
        for violation in validate_details(problem, plan):
            entry = placed.get(violation["operation"])
            if (
                violation["rule"] not in checked
                or not entry
                or entry["start"] < 0
                or not builder.planned_by_a_run(int(entry["op"].split("/")[1]))
            ):
                continue
            issue = self._aps_rule_break_vals(violation, entry, scope)
            if issue:
                # one issue per rule, work order and other work order
                vals.setdefault((issue["rule"], entry["op"], violation["other"]), issue)
        for workorder_id, message in builder.workorder_errors.items():
            if builder.planned_by_a_run(workorder_id):
                vals[("data", workorder_id)] = {
                    "kind": "rule",
                    "rule": "data",
                    "workorder_id": workorder_id,
                    "production_id": builder.stored[workorder_id].production_id,
                    "workcenter_id": builder.stored[workorder_id].workcenter_id,
                    "detail": message[:500],
                }
        return self._aps_one_issue_per_closed_time(
            list(vals.values()), self._aps_counted_in_working_time(problem, plan)
        )

    @staticmethod
    def _aps_counted_in_working_time(problem, plan):
        """Ids of the planned work orders whose duration the validator counts in working
        minutes of their span: interruptible work off batch work centers (a batch cycle and
        non-interruptible work are measured from start to end)."""
        interruptible = {
            op["id"]
            for job in problem["jobs"]
            for op in job["operations"]
            if op.get("interruptible") is None or op["interruptible"]
        }
        batch = {res["id"] for res in problem["resources"] if res.get("batch")}
        return {
            int(entry["op"].split("/")[1])
            for entry in plan["operations"]
            if entry["op"] in interruptible and entry.get("resource") not in batch
        }

    @staticmethod
    def _aps_one_issue_per_closed_time(issues, counted_in_working_time):
        """Closed time over interruptible work also takes working time from it: one cause,
        one issue, the closed time's, with the minutes of work it lacks."""
        outside = {
            issue["workorder_id"]: issue
            for issue in issues
            if issue["rule"] == "calendar" and issue["workorder_id"] in counted_in_working_time
        }
        kept = []
        for issue in issues:
            if issue["rule"] == "duration" and issue["workorder_id"] in outside:
                outside[issue["workorder_id"]]["minutes"] = issue["minutes"]
                continue
            kept.append(issue)
        return kept

    def _aps_rule_break_vals(self, violation, entry, scope):
        """The issue of one violation of ``validate_details`` on a planned operation, or
        None for a duration the plan gives more time than needed (idle time, no problem)."""
        values = violation["values"]
        rule = violation["rule"]
        if rule == "duration" and values.get("planned", 0) >= values.get("needed", 0):
            return None
        other = violation["other"] or ""
        issue = {
            "kind": "rule",
            "rule": rule,
            "workorder_id": int(entry["op"].split("/")[1]),
            "other_workorder_id": int(other[3:]) if other.startswith("WO/") else False,
            "production_id": int(entry["job"].split("/")[1]),
            "workcenter_id": int(entry["resource"].split("/")[1]),
            "date": scope.to_datetime(entry["start"]),
            "date_expected": scope.to_datetime(entry["end"]),
            "detail": scope.translate_ids(violation["message"])[:500],
        }
        if rule == "duration":
            issue["minutes"] = values["needed"] - values["planned"]
        elif rule == "changeover":
            issue["minutes"] = values["required"]
        elif rule == "precedence":
            issue["date_expected"] = scope.to_datetime(values["ready"])
        elif rule == "max_lag":
            issue["date_expected"] = scope.to_datetime(values["latest"])
        return issue

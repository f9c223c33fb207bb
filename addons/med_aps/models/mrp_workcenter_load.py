from odoo import fields, models

# One row per work center and day of the plan: available hours of its shifts less time off,
# hours of planned work (a batch cycle once), free hours, load and work orders.
WORKCENTER_LOAD_QUERY = """
WITH wc AS (
    SELECT wc.id AS workcenter_id,
           wc.company_id,
           wc.resource_calendar_id AS calendar_id,
           wc.resource_id,
           COALESCE(cal.two_weeks_calendar, FALSE) AS two_weeks,
           COALESCE(NULLIF(cal.tz, ''), 'UTC') AS tz,
           GREATEST(COALESCE(wc.aps_parallel_capacity, 1), 1) AS capacity
      FROM mrp_workcenter wc
 LEFT JOIN resource_calendar cal ON cal.id = wc.resource_calendar_id
     WHERE wc.active
),
occupation AS (
    -- one row per occupied interval, in the calendar's local time; a batch cycle counts once
    SELECT w.workcenter_id,
           MIN(w.date_start AT TIME ZONE 'UTC' AT TIME ZONE wc.tz) AS ls,
           MAX(w.date_finished AT TIME ZONE 'UTC' AT TIME ZONE wc.tz) AS le,
           COUNT(*) AS wo_count
      FROM mrp_workorder w
      JOIN wc ON wc.workcenter_id = w.workcenter_id
     WHERE w.state NOT IN ('done', 'cancel')
       AND w.date_start IS NOT NULL
       AND w.date_finished > w.date_start
  GROUP BY w.workcenter_id, COALESCE(NULLIF(w.aps_batch_ref, ''), 'WO/' || w.id::text)
),
occupation_days AS (
    -- each occupied interval on each local day it touches: shifts and days join it on
    -- (work center, day) instead of scanning every interval for every shift
    SELECT o.workcenter_id, o.ls, o.le, o.wo_count, d::date AS day
      FROM occupation o
     CROSS JOIN LATERAL generate_series(
               o.ls::date, (o.le - INTERVAL '1 microsecond')::date, INTERVAL '1 day') AS d
),
bounds AS (
    SELECT MIN(ls)::date AS d0, MAX(le - INTERVAL '1 second')::date AS d1 FROM occupation
),
days AS (
    SELECT wc.*, d::date AS day
      FROM wc
      JOIN bounds ON bounds.d0 IS NOT NULL
     CROSS JOIN LATERAL generate_series(bounds.d0, bounds.d1, INTERVAL '1 day') AS d
),
shifts AS (
    SELECT ROW_NUMBER() OVER () AS shift_id, all_shifts.*
      FROM (
    -- working intervals of each work center and day (local time)
    SELECT days.workcenter_id, days.day, days.tz, days.resource_id, days.calendar_id,
           days.capacity,
           days.day + att.hour_from * INTERVAL '1 hour' AS s,
           days.day + LEAST(att.hour_to, 24.0) * INTERVAL '1 hour' AS e
      FROM days
      JOIN resource_calendar_attendance att ON att.calendar_id = days.calendar_id
     WHERE att.display_type IS NULL
       AND att.dayofweek::int = EXTRACT(ISODOW FROM days.day)::int - 1
       AND att.hour_to > att.hour_from
       AND (NOT days.two_weeks
            OR att.week_type IS NULL
            OR att.week_type::int = ((days.day - DATE '0001-01-01') / 7) %% 2)
 UNION ALL
    -- a work center without calendar is always available
    SELECT days.workcenter_id, days.day, days.tz, days.resource_id, days.calendar_id,
           days.capacity, days.day::timestamp, days.day + INTERVAL '1 day'
      FROM days
     WHERE days.calendar_id IS NULL
           ) AS all_shifts (workcenter_id, day, tz, resource_id, calendar_id, capacity, s, e)
),
time_off AS MATERIALIZED (
    -- the closing days and work center leaves (not the work orders' reservations)
    SELECT lv.resource_id, lv.calendar_id, lv.date_from, lv.date_to
      FROM resource_calendar_leaves lv
     WHERE lv.time_type = 'leave'
),
shift_planned AS (
    SELECT sh.shift_id,
           SUM(EXTRACT(EPOCH FROM LEAST(sh.e, od.le) - GREATEST(sh.s, od.ls))) / 3600.0
               AS planned
      FROM shifts sh
      JOIN occupation_days od ON od.workcenter_id = sh.workcenter_id
                             AND od.day = sh.day
                             AND od.ls < sh.e
                             AND od.le > sh.s
  GROUP BY sh.shift_id
),
shift_hours AS (
    SELECT sh.workcenter_id, sh.day, sh.capacity,
           EXTRACT(EPOCH FROM sh.e - sh.s) / 3600.0 - COALESCE((
               SELECT SUM(EXTRACT(EPOCH FROM
                          LEAST(sh.e, lv.date_to AT TIME ZONE 'UTC' AT TIME ZONE sh.tz)
                        - GREATEST(sh.s, lv.date_from AT TIME ZONE 'UTC' AT TIME ZONE sh.tz)))
                      / 3600.0
                 FROM time_off lv
                WHERE ((lv.resource_id IS NULL
                        AND (lv.calendar_id IS NULL OR lv.calendar_id = sh.calendar_id))
                       OR lv.resource_id = sh.resource_id)
                  AND lv.date_from AT TIME ZONE 'UTC' AT TIME ZONE sh.tz < sh.e
                  AND lv.date_to AT TIME ZONE 'UTC' AT TIME ZONE sh.tz > sh.s
           ), 0.0) AS hours,
           COALESCE(sp.planned, 0.0) AS planned
      FROM shifts sh
 LEFT JOIN shift_planned sp ON sp.shift_id = sh.shift_id
),
day_hours AS (
    SELECT workcenter_id, day,
           SUM(GREATEST(hours, 0.0) * capacity) AS available,
           SUM(planned) AS planned
      FROM shift_hours
  GROUP BY workcenter_id, day
),
day_orders AS (
    SELECT workcenter_id, day, SUM(wo_count) AS wo_count
      FROM occupation_days
  GROUP BY workcenter_id, day
)
SELECT ROW_NUMBER() OVER (ORDER BY days.day, days.workcenter_id) AS id,
       days.day AS date,
       days.workcenter_id,
       days.company_id,
       ROUND(COALESCE(dh.planned, 0.0)::numeric, 2)::float AS planned_hours,
       ROUND(COALESCE(dh.available, 0.0)::numeric, 2)::float AS available_hours,
       ROUND((COALESCE(dh.available, 0.0) - COALESCE(dh.planned, 0.0))::numeric, 2)::float
           AS free_hours,
       CASE WHEN COALESCE(dh.available, 0.0) > 0
            THEN ROUND((100.0 * COALESCE(dh.planned, 0.0) / dh.available)::numeric, 1)::float
            ELSE 0.0 END AS load_percent,
       COALESCE(dor.wo_count, 0)::int AS workorder_count
  FROM days
LEFT JOIN day_hours dh ON dh.workcenter_id = days.workcenter_id AND dh.day = days.day
LEFT JOIN day_orders dor ON dor.workcenter_id = days.workcenter_id AND dor.day = days.day
"""


class MrpWorkcenterLoad(models.Model):
    """Load of each work center per day, read from the planned work orders.

    A read-only SQL view (one row per work center and local calendar day) for the graph and
    pivot report. Hours are counted inside the work center's working time (its resource
    calendar, in the calendar's time zone, minus closing days and work center leaves), so a
    work order that spans a night only loads the hours it really occupies. A batch cycle
    (work orders sharing one ``aps_batch_ref``) counts once. Available hours are multiplied by
    the work center's parallel capacity.
    """

    _name = "med.aps.workcenter.load"
    _description = "Work Center Load per Day"
    _auto = False
    _order = "date, workcenter_id"
    _rec_name = "workcenter_id"

    date = fields.Date("Day", readonly=True)
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    planned_hours = fields.Float(
        readonly=True,
        digits=(16, 2),
        help="Working hours of the day occupied by planned work orders (batch cycles once).",
    )
    available_hours = fields.Float(
        readonly=True,
        digits=(16, 2),
        help="Working hours of the day in the work center's calendar, minus leaves, times its "
        "parallel capacity.",
    )
    free_hours = fields.Float(
        readonly=True,
        digits=(16, 2),
        help="Available hours minus planned hours (negative when overloaded).",
    )
    load_percent = fields.Float(
        "Load (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Planned hours divided by available hours; averaged over days when grouped.",
    )
    workorder_count = fields.Integer(
        "Work Orders",
        readonly=True,
        help="Planned work orders that occupy the work center on this day.",
    )

    @property
    def _table_query(self):
        return WORKCENTER_LOAD_QUERY

    def _search(self, domain, *args, **kwargs):
        # PostgreSQL estimates far more rows for the generated days than there are, so its
        # JIT compiles this query: 1.25 s of compilation for 0.17 s of execution at 10,000
        # orders (bench/README_odoo_aps.md). Off for the rest of this transaction only.
        self.env.cr.execute("SET LOCAL jit = off")
        return super()._search(domain, *args, **kwargs)

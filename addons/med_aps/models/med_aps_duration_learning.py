from odoo import api, fields, models

# How many of the latest finished work orders of an operation on a work center are learned
# from: recent enough to follow the shop floor, enough for a stable median.
RECENT_PARAM = "med_aps.learning_recent_workorders"
DEFAULT_RECENT = 30
# A work order whose ratio is this many times the median (or less than its inverse) is an
# outlier: a timer left running over a weekend, a log closed at once.
OUTLIER_FACTOR = 3.0


class MedApsDurationLearning(models.Model):
    """Actual against planned duration of recent work orders, per company, operation and
    work center.

    Odoo's own "Computed" duration mode (``mrp.routing.workcenter.time_mode``) averages the
    last work orders of an operation on whatever work center they ran: one forgotten timer
    moves the mean, and a slow alternative work center mixes with a fast one. Here the ratio
    actual / planned processing time is kept per operation *and* work center, summarised by
    its median (robust to the outliers, which are named), with the sample size, so a planner
    sees how far the plan is from reality before using it.

    The processing time is the logged (``duration``) or planned (``duration_expected``)
    minutes less the work center's setup and cleanup for the product: planning multiplies
    only the processing time by the ratio and keeps setup and cleanup apart, so the ratio
    measures the same quantity.

    A work center or bill of materials shared between companies is learned per company (the
    manufacturing order's): each plant sees and plans with its own work orders only.
    """

    _name = "med.aps.duration.learning"
    _description = "Actual vs Planned Durations"
    _auto = False
    _order = "median_ratio desc, operation_id"
    _rec_name = "operation_id"
    # flushed before the view is read
    _depends = {
        "mrp.workorder": [
            "state",
            "operation_id",
            "workcenter_id",
            "production_id",
            "duration",
            "duration_expected",
            "date_finished",
            "name",
        ],
        "mrp.production": ["company_id", "product_id", "product_uom_id", "name"],
        "mrp.workcenter": ["time_start", "time_stop"],
        "mrp.workcenter.capacity": [
            "workcenter_id",
            "product_id",
            "product_uom_id",
            "time_start",
            "time_stop",
        ],
        "product.template": ["uom_id"],
    }

    operation_id = fields.Many2one("mrp.routing.workcenter", readonly=True)
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", "Product", readonly=True)
    sample_count = fields.Integer(
        "Work Orders",
        readonly=True,
        aggregator="sum",
        help="Finished work orders learned from (the latest ones of this operation on this "
        "work center with a logged and a planned processing time beyond setup and cleanup).",
    )
    median_ratio = fields.Float(
        "Actual / Planned",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Median of actual processing time divided by planned processing time (setup and "
        "cleanup excluded, planned apart): 1.25 means these work orders typically take 25% "
        "longer than planned.",
    )
    low_ratio = fields.Float("Lower Quartile", readonly=True, aggregator="avg", digits=(16, 2))
    high_ratio = fields.Float("Upper Quartile", readonly=True, aggregator="avg", digits=(16, 2))
    planned_minutes = fields.Float(
        "Planned (min)",
        readonly=True,
        aggregator="sum",
        help="Planned processing minutes of these work orders, setup and cleanup excluded.",
    )
    actual_minutes = fields.Float(
        "Actual (min)",
        readonly=True,
        aggregator="sum",
        help="Logged minutes of these work orders less their setup and cleanup.",
    )
    outlier_count = fields.Integer(
        "Outliers",
        readonly=True,
        aggregator="sum",
        help="Work orders that took more than three times the median ratio, or less than a "
        "third of it; counted in the sample, they barely move the median.",
    )
    outlier_names = fields.Char("Outlier Work Orders", readonly=True)
    last_finished = fields.Datetime(readonly=True)

    @property
    def _table_query(self):
        return self._aps_learning_query()

    def _aps_learning_query(self, company_filter=""):
        """The report's query; ``company_filter`` (SQL, e.g. ``AND mo.company_id = %s``)
        narrows the finished work orders read to one company's before anything is
        computed."""
        recent = self.env["ir.config_parameter"].sudo().get_param(RECENT_PARAM)
        try:
            recent = max(1, int(recent or DEFAULT_RECENT))
        except ValueError:
            recent = DEFAULT_RECENT
        return """
            WITH finished AS (
                SELECT wo.id, wo.operation_id, wo.workcenter_id, mo.company_id,
                       mo.product_id, mo.name AS production_name, wo.name AS workorder_name,
                       wo.duration - fixed.minutes AS actual,
                       wo.duration_expected - fixed.minutes AS planned,
                       (wo.duration - fixed.minutes) / (wo.duration_expected - fixed.minutes)
                           AS ratio,
                       wo.date_finished,
                       row_number() OVER (
                           PARTITION BY mo.company_id, wo.operation_id, wo.workcenter_id
                           ORDER BY wo.date_finished DESC NULLS LAST, wo.id DESC
                       ) AS recency
                  FROM mrp_workorder wo
                  JOIN mrp_production mo ON mo.id = wo.production_id
                  JOIN mrp_workcenter wc ON wc.id = wo.workcenter_id
                  JOIN product_product product ON product.id = mo.product_id
                  JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                  -- setup and cleanup of the product on the work center, picked as Odoo's
                  -- mrp.workcenter._get_capacity does: planning keeps them apart
                  LEFT JOIN LATERAL (
                      SELECT cap.id, cap.time_start, cap.time_stop
                        FROM mrp_workcenter_capacity cap
                       WHERE cap.workcenter_id = wo.workcenter_id
                         AND (cap.product_id = mo.product_id AND cap.product_uom_id = tmpl.uom_id
                              OR cap.product_id IS NULL
                                 AND cap.product_uom_id IN (mo.product_uom_id, tmpl.uom_id))
                       ORDER BY cap.product_id IS NULL, cap.product_uom_id <> mo.product_uom_id,
                                cap.id
                       LIMIT 1
                  ) capacity ON TRUE
                  CROSS JOIN LATERAL (
                      SELECT CASE WHEN capacity.id IS NULL
                                  THEN COALESCE(wc.time_start, 0) + COALESCE(wc.time_stop, 0)
                                  ELSE COALESCE(capacity.time_start, 0)
                                       + COALESCE(capacity.time_stop, 0)
                             END AS minutes
                  ) fixed
                 WHERE wo.state = 'done' AND wo.operation_id IS NOT NULL %(company_filter)s
                   -- no processing time beyond setup and cleanup: no ratio to learn
                   AND wo.duration > fixed.minutes AND wo.duration_expected > fixed.minutes
            ), recent AS (
                SELECT * FROM finished WHERE recency <= %(recent)s
            ), typical AS (
                SELECT company_id, operation_id, workcenter_id,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS median_ratio
                  FROM recent GROUP BY company_id, operation_id, workcenter_id
            )
            SELECT row_number() OVER (
                       ORDER BY r.company_id, r.operation_id, r.workcenter_id
                   ) AS id,
                   r.operation_id, r.workcenter_id, r.company_id,
                   min(pp.product_tmpl_id) AS product_tmpl_id,
                   count(*) AS sample_count,
                   t.median_ratio,
                   percentile_cont(0.25) WITHIN GROUP (ORDER BY r.ratio) AS low_ratio,
                   percentile_cont(0.75) WITHIN GROUP (ORDER BY r.ratio) AS high_ratio,
                   sum(r.planned) AS planned_minutes,
                   sum(r.actual) AS actual_minutes,
                   count(*) FILTER (WHERE r.ratio > t.median_ratio * %(factor)s
                                       OR r.ratio < t.median_ratio / %(factor)s) AS outlier_count,
                   string_agg(r.production_name || ' ' || r.workorder_name, ', '
                              ORDER BY r.date_finished DESC)
                       FILTER (WHERE r.ratio > t.median_ratio * %(factor)s
                                  OR r.ratio < t.median_ratio / %(factor)s) AS outlier_names,
                   max(r.date_finished) AS last_finished
              FROM recent r
              JOIN typical t
                ON t.company_id = r.company_id
               AND t.operation_id = r.operation_id
               AND t.workcenter_id = r.workcenter_id
              JOIN product_product pp ON pp.id = r.product_id
             GROUP BY r.company_id, r.operation_id, r.workcenter_id, t.median_ratio
        """ % {"recent": recent, "factor": OUTLIER_FACTOR, "company_filter": company_filter}

    @api.model
    def _aps_duration_factors(self, company, min_samples):
        """``{(operation id, work center id): median ratio}`` of ``company``'s operations
        learned from at least ``min_samples`` work orders: what planning with learned
        durations multiplies the planned processing time (not setup and cleanup) by."""
        for model, names in self._depends.items():
            self.env[model].flush_model(names)
        self.env.cr.execute(
            "SELECT operation_id, workcenter_id, median_ratio FROM (%s) learned "
            "WHERE sample_count >= %%s" % self._aps_learning_query("AND mo.company_id = %s"),
            [company.id, min_samples],
        )
        return {(op, wc): ratio for op, wc, ratio in self.env.cr.fetchall()}

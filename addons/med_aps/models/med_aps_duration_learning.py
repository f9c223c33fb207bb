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
    actual / planned (``duration`` / ``duration_expected``) is kept per operation *and* work
    center, summarised by its median (robust to the outliers, which are named), with the
    sample size, so a planner sees how far the plan is from reality before using it.

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
        "mrp.production": ["company_id", "product_id", "name"],
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
        "work center with a logged and a planned duration).",
    )
    median_ratio = fields.Float(
        "Actual / Planned",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Median of actual duration divided by planned duration: 1.25 means these work "
        "orders typically take 25% longer than planned.",
    )
    low_ratio = fields.Float("Lower Quartile", readonly=True, aggregator="avg", digits=(16, 2))
    high_ratio = fields.Float("Upper Quartile", readonly=True, aggregator="avg", digits=(16, 2))
    planned_minutes = fields.Float("Planned (min)", readonly=True, aggregator="sum")
    actual_minutes = fields.Float("Actual (min)", readonly=True, aggregator="sum")
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
        recent = self.env["ir.config_parameter"].sudo().get_param(RECENT_PARAM)
        try:
            recent = max(1, int(recent or DEFAULT_RECENT))
        except ValueError:
            recent = DEFAULT_RECENT
        return """
            WITH finished AS (
                SELECT wo.id, wo.operation_id, wo.workcenter_id, mo.company_id,
                       mo.product_id, mo.name AS production_name, wo.name AS workorder_name,
                       wo.duration AS actual, wo.duration_expected AS planned,
                       wo.duration / wo.duration_expected AS ratio, wo.date_finished,
                       row_number() OVER (
                           PARTITION BY mo.company_id, wo.operation_id, wo.workcenter_id
                           ORDER BY wo.date_finished DESC NULLS LAST, wo.id DESC
                       ) AS recency
                  FROM mrp_workorder wo
                  JOIN mrp_production mo ON mo.id = wo.production_id
                 WHERE wo.state = 'done' AND wo.operation_id IS NOT NULL
                   AND wo.duration > 0 AND wo.duration_expected > 0
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
        """ % {"recent": recent, "factor": OUTLIER_FACTOR}

    @api.model
    def _aps_duration_factors(self, company, min_samples):
        """``{(operation id, work center id): median ratio}`` of ``company``'s operations
        learned from at least ``min_samples`` work orders: what planning with learned
        durations multiplies the planned duration by."""
        for model, names in self._depends.items():
            self.env[model].flush_model(names)
        self.env.cr.execute(
            "SELECT operation_id, workcenter_id, median_ratio FROM (%s) learned "
            "WHERE company_id = %%s AND sample_count >= %%s" % self._table_query,
            [company.id, min_samples],
        )
        return {(op, wc): ratio for op, wc, ratio in self.env.cr.fetchall()}

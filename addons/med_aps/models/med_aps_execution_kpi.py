from odoo import fields, models

# Odoo's own loss reason of the time logs an operator records while setting a work center
# up (Block > "Setup and Adjustments"): the actual changeover time
SETUP_LOSS_XMLID = "mrp.block_reason2"
# System parameter: minutes a work order may start or finish off its plan and still count
# as on schedule.
TOLERANCE_PARAM = "med_aps.adherence_tolerance_minutes"
DEFAULT_TOLERANCE = 60


class MedApsExecutionKpi(models.Model):
    """Plan against execution, one row per finished work order.

    Schedule adherence compares the start and end the plan gave a work order when it was
    started (``aps_planned_start`` / ``aps_planned_end``, kept at that moment because Odoo
    then replaces the planned dates with the actual ones) with the actual start and end;
    within the tolerance both ways it counts as adherent. Beside it: planned against logged
    minutes (utilization), and the planned changeover minutes and units produced, for the unit
    change time by work center and setup family. Group by day, week or month in the pivot and
    graph views: the plant's days (the time zone of the company's default working hours),
    not the reader's nor UTC's.

    The actual changeover of a finished work order is the time logged on its work center
    with Odoo's loss reason "Setup and Adjustments" (``mrp.block_reason2``): logged on the
    work order itself, or on the work center (Block button) after the previous work order
    there finished and before this one started; a log on the work center counts once, for the
    first work order started there after it (two work orders side by side on parallel units
    share one changeover). Not the gap between two work orders, which also holds breaks,
    nights and waiting (see readme/USAGE.md)."""

    _name = "med.aps.execution.kpi"
    _description = "Plan vs Execution"
    _auto = False
    _order = "date desc, workcenter_id"
    _rec_name = "workorder_id"
    _depends = {
        "mrp.workorder": [
            "state",
            "date_start",
            "date_finished",
            "aps_planned_start",
            "aps_planned_end",
            "duration",
            "duration_expected",
            "aps_changeover_minutes",
            "qty_produced",
            "workcenter_id",
            "production_id",
            "aps_setup_family_id",
        ],
        "mrp.production": ["company_id", "product_id"],
        "res.company": ["resource_calendar_id"],
        "resource.calendar": ["tz"],
        "mrp.workcenter.productivity": [
            "workorder_id",
            "workcenter_id",
            "loss_id",
            "date_start",
            "duration",
        ],
    }

    workorder_id = fields.Many2one("mrp.workorder", "Work Order", readonly=True)
    production_id = fields.Many2one("mrp.production", "Manufacturing Order", readonly=True)
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", "Product", readonly=True)
    setup_family_id = fields.Many2one("med.aps.setup.family", readonly=True)
    date = fields.Date(
        "Finished On",
        readonly=True,
        help="The day in the plant's time zone: that of the company's default working hours, "
        "UTC when it has none.",
    )
    planned_start = fields.Datetime(readonly=True)
    planned_end = fields.Datetime(readonly=True)
    actual_start = fields.Datetime(readonly=True)
    actual_end = fields.Datetime(readonly=True)
    start_delay_minutes = fields.Float(
        "Start Delay (min)", readonly=True, aggregator="avg", digits=(16, 0)
    )
    end_delay_minutes = fields.Float(
        "End Delay (min)", readonly=True, aggregator="avg", digits=(16, 0)
    )
    adherence_percent = fields.Float(
        "Schedule Adherence (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 when the work order started and finished within the tolerance of the plan it "
        "was started under (system parameter med_aps.adherence_tolerance_minutes, 60 by "
        "default), else 0; averaged when grouped. Empty for work orders med_aps had not "
        "planned.",
    )
    planned_minutes = fields.Float("Planned (min)", readonly=True, aggregator="sum")
    actual_minutes = fields.Float("Logged (min)", readonly=True, aggregator="sum")
    changeover_minutes = fields.Float("Planned Changeover (min)", readonly=True, aggregator="sum")
    changeover_count = fields.Integer("Changeovers", readonly=True, aggregator="sum")
    actual_changeover_minutes = fields.Float(
        "Actual Changeover (min)",
        readonly=True,
        aggregator="sum",
        help="Minutes logged with the loss reason Setup and Adjustments on the work order, or "
        "on its work center between the end of the previous work order there and its start; "
        "a log on the work center counts for the first work order started after it only.",
    )
    actual_changeover_count = fields.Integer("Actual Changeovers", readonly=True, aggregator="sum")
    changeover_per_change = fields.Float(
        "Planned Min per Changeover",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Planned changeover minutes of the work orders with a planned changeover, "
        "averaged when grouped.",
    )
    actual_changeover_per_change = fields.Float(
        "Actual Min per Changeover",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Logged setup minutes of the work orders with a logged setup, averaged when grouped.",
    )
    changeover_per_unit = fields.Float(
        "Planned Changeover Min per Unit",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Planned changeover minutes per unit produced (averaged over work orders when "
        "grouped; the sums of minutes and quantities give the ratio of a whole group).",
    )
    actual_changeover_per_unit = fields.Float(
        "Actual Changeover Min per Unit",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Logged setup minutes per unit produced (averaged over work orders when grouped).",
    )
    quantity = fields.Float("Quantity Produced", readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        tolerance = self.env["ir.config_parameter"].sudo().get_param(TOLERANCE_PARAM)
        try:
            tolerance = max(0.0, float(tolerance or DEFAULT_TOLERANCE))
        except ValueError:
            tolerance = DEFAULT_TOLERANCE
        setup_loss = self.env.ref(SETUP_LOSS_XMLID, raise_if_not_found=False)
        return """
            SELECT wo.id, wo.id AS workorder_id, wo.production_id, wo.workcenter_id,
                   mo.company_id, pp.product_tmpl_id, wo.aps_setup_family_id AS setup_family_id,
                   -- readers sit in any time zone: the day is the plant's, the same for all
                   (wo.date_finished AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(cal.tz, 'UTC'))::date
                       AS date,
                   wo.aps_planned_start AS planned_start, wo.aps_planned_end AS planned_end,
                   wo.date_start AS actual_start, wo.date_finished AS actual_end,
                   EXTRACT(EPOCH FROM wo.date_start - wo.aps_planned_start) / 60.0
                       AS start_delay_minutes,
                   EXTRACT(EPOCH FROM wo.date_finished - wo.aps_planned_end) / 60.0
                       AS end_delay_minutes,
                   CASE WHEN wo.aps_planned_start IS NULL THEN NULL
                        WHEN ABS(EXTRACT(EPOCH FROM wo.date_start - wo.aps_planned_start))
                                 <= %(tolerance)s * 60
                         AND ABS(EXTRACT(EPOCH FROM wo.date_finished - wo.aps_planned_end))
                                 <= %(tolerance)s * 60
                        THEN 100.0 ELSE 0.0 END AS adherence_percent,
                   wo.duration_expected AS planned_minutes, wo.duration AS actual_minutes,
                   COALESCE(wo.aps_changeover_minutes, 0) AS changeover_minutes,
                   CASE WHEN COALESCE(wo.aps_changeover_minutes, 0) > 0 THEN 1 ELSE 0 END
                       AS changeover_count,
                   COALESCE(setup.minutes, 0) AS actual_changeover_minutes,
                   CASE WHEN COALESCE(setup.minutes, 0) > 0 THEN 1 ELSE 0 END
                       AS actual_changeover_count,
                   NULLIF(COALESCE(wo.aps_changeover_minutes, 0), 0) AS changeover_per_change,
                   NULLIF(COALESCE(setup.minutes, 0), 0) AS actual_changeover_per_change,
                   CASE WHEN wo.qty_produced > 0
                        THEN COALESCE(wo.aps_changeover_minutes, 0) / wo.qty_produced END
                       AS changeover_per_unit,
                   CASE WHEN wo.qty_produced > 0
                        THEN COALESCE(setup.minutes, 0) / wo.qty_produced END
                       AS actual_changeover_per_unit,
                   wo.qty_produced AS quantity
              FROM mrp_workorder wo
              JOIN mrp_production mo ON mo.id = wo.production_id
              JOIN product_product pp ON pp.id = mo.product_id
              JOIN res_company company ON company.id = mo.company_id
              LEFT JOIN resource_calendar cal ON cal.id = company.resource_calendar_id
              LEFT JOIN (
                  SELECT owned.workorder_id, SUM(owned.duration) AS minutes
                    FROM (
                      -- logged on the work order
                      SELECT log.workorder_id, log.duration
                        FROM mrp_workcenter_productivity log
                       WHERE log.loss_id = %(setup_loss)s AND log.workorder_id IS NOT NULL
                      UNION ALL
                      -- a setup logged on the work center alone counts once: for the first
                      -- work order started there after it (not for the others running beside
                      -- it on parallel units), and only when no work order there finished in
                      -- between; each log looks for its work order (logs are few, work
                      -- orders many)
                      SELECT first_wo.id, log.duration
                        FROM mrp_workcenter_productivity log
                        CROSS JOIN LATERAL (
                            SELECT next_wo.id, next_wo.date_start
                              FROM mrp_workorder next_wo
                             WHERE next_wo.workcenter_id = log.workcenter_id
                               AND next_wo.state IN ('progress', 'done')
                               AND next_wo.date_start >= log.date_start
                             ORDER BY next_wo.date_start, next_wo.id
                             LIMIT 1
                        ) first_wo
                        LEFT JOIN LATERAL (
                            SELECT prev.date_finished
                              FROM mrp_workorder prev
                             WHERE prev.workcenter_id = log.workcenter_id
                               AND prev.state = 'done'
                               AND prev.date_finished <= first_wo.date_start
                               AND prev.id <> first_wo.id
                             ORDER BY prev.date_finished DESC
                             LIMIT 1
                        ) last_done ON TRUE
                       WHERE log.loss_id = %(setup_loss)s AND log.workorder_id IS NULL
                         AND (last_done.date_finished IS NULL
                              OR last_done.date_finished <= log.date_start)
                    ) owned
                   GROUP BY owned.workorder_id
              ) setup ON setup.workorder_id = wo.id
             WHERE wo.state = 'done' AND wo.date_finished IS NOT NULL
        """ % {"tolerance": tolerance, "setup_loss": setup_loss.id if setup_loss else "NULL"}

from odoo import fields, models


class MedApsOntimeKpi(models.Model):
    """On-time completion (交期达成率): finished manufacturing orders against their deadline,
    one row per order; averaged per day, week or month in the pivot and graph views (the
    plant's days, as in ``med.aps.execution.kpi``)."""

    _name = "med.aps.ontime.kpi"
    _description = "On-Time Completion"
    _auto = False
    _order = "date desc"
    _rec_name = "production_id"
    _depends = {
        "mrp.production": ["state", "date_finished", "date_deadline", "company_id", "product_id"],
        "res.company": ["resource_calendar_id"],
        "resource.calendar": ["tz"],
    }

    production_id = fields.Many2one("mrp.production", "Manufacturing Order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", "Product", readonly=True)
    date = fields.Date(
        "Finished On",
        readonly=True,
        help="The day in the plant's time zone: that of the company's default working hours, "
        "UTC when it has none.",
    )
    deadline = fields.Datetime(readonly=True)
    finished = fields.Datetime(readonly=True)
    on_time_percent = fields.Float(
        "On Time (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 when the order was finished by its deadline, else 0; averaged when grouped.",
    )
    late_hours = fields.Float("Late (h)", readonly=True, aggregator="sum", digits=(16, 1))

    @property
    def _table_query(self):
        return """
            SELECT mo.id, mo.id AS production_id, mo.company_id, pp.product_tmpl_id,
                   -- readers sit in any time zone: the day is the plant's, the same for all
                   (mo.date_finished AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(cal.tz, 'UTC'))::date
                       AS date,
                   mo.date_deadline AS deadline,
                   mo.date_finished AS finished,
                   CASE WHEN mo.date_finished <= mo.date_deadline THEN 100.0 ELSE 0.0 END
                       AS on_time_percent,
                   GREATEST(0, EXTRACT(EPOCH FROM mo.date_finished - mo.date_deadline) / 3600.0)
                       AS late_hours
              FROM mrp_production mo
              JOIN product_product pp ON pp.id = mo.product_id
              JOIN res_company company ON company.id = mo.company_id
              LEFT JOIN resource_calendar cal ON cal.id = company.resource_calendar_id
             WHERE mo.state = 'done' AND mo.date_finished IS NOT NULL
               AND mo.date_deadline IS NOT NULL
        """

from odoo import fields, models, tools
from odoo.tools import SQL


class MedQualityReleaseReport(models.Model):
    """One row per lot with a release decision (released or rejected)."""

    _name = "med.quality.release.report"
    _description = "Lot Release KPIs"
    _auto = False
    _order = "decision_date desc"
    _rec_name = "lot_id"

    lot_id = fields.Many2one("stock.lot", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    decision = fields.Selection([("released", "Released"), ("rejected", "Rejected")], readonly=True)
    quarantine_date = fields.Datetime(string="Quarantined on", readonly=True)
    decision_date = fields.Datetime(string="Decision on", readonly=True)
    lot_count = fields.Integer(string="Lots Decided", readonly=True, aggregator="sum")
    first_time_right = fields.Integer(
        string="Released First Time Right",
        readonly=True,
        aggregator="sum",
        help="Released without any nonconformance nor failed check.",
    )
    pass_rate = fields.Float(
        string="First-Time-Right Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Lots released first time without nonconformance / lots decided.",
    )
    lead_time_hours = fields.Float(
        string="Release Lead Time (h)",
        readonly=True,
        aggregator="avg",
        help="From entry in quarantine to the release decision.",
    )
    nc_count = fields.Integer(string="Nonconformances", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                WITH nc AS (
                    SELECT lot_id, count(*) AS nc_count
                      FROM med_quality_nonconformance
                     WHERE lot_id IS NOT NULL
                  GROUP BY lot_id
                ), failed AS (
                    SELECT lot_id, count(*) AS failed_count
                      FROM med_quality_check
                     WHERE lot_id IS NOT NULL AND state = 'fail'
                  GROUP BY lot_id
                ), ftr AS (
                    SELECT lot.id AS lot_id,
                           CASE WHEN lot.med_release_decision = 'released'
                                 AND COALESCE(nc.nc_count, 0) = 0
                                 AND COALESCE(failed.failed_count, 0) = 0
                                THEN 1 ELSE 0 END AS ftr
                      FROM stock_lot lot
                 LEFT JOIN nc ON nc.lot_id = lot.id
                 LEFT JOIN failed ON failed.lot_id = lot.id
                )
                SELECT lot.id AS id,
                       lot.id AS lot_id,
                       lot.product_id AS product_id,
                       tmpl.categ_id AS product_categ_id,
                       lot.company_id AS company_id,
                       lot.med_release_decision AS decision,
                       lot.med_quarantine_date AS quarantine_date,
                       lot.med_release_date AS decision_date,
                       1 AS lot_count,
                       ftr.ftr AS first_time_right,
                       100.0 * ftr.ftr AS pass_rate,
                       CASE WHEN lot.med_quarantine_date IS NOT NULL
                            THEN EXTRACT(EPOCH FROM lot.med_release_date - lot.med_quarantine_date)
                                 / 3600.0
                       END AS lead_time_hours,
                       COALESCE(nc.nc_count, 0) AS nc_count
                  FROM stock_lot lot
                  JOIN product_product prod ON prod.id = lot.product_id
                  JOIN product_template tmpl ON tmpl.id = prod.product_tmpl_id
                  JOIN ftr ON ftr.lot_id = lot.id
             LEFT JOIN nc ON nc.lot_id = lot.id
                 WHERE lot.med_release_decision IN ('released', 'rejected')
            )
            """,
                SQL.identifier(self._table),
            )
        )

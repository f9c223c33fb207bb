from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.med_quality_nonconformance import DISPOSITIONS


class MedQualityNcReport(models.Model):
    """Nonconformances with their age, for the KPI dashboard."""

    _name = "med.quality.nc.report"
    _description = "Nonconformance Age"
    _auto = False
    _order = "date_open"
    _rec_name = "nonconformance_id"

    nonconformance_id = fields.Many2one("med.quality.nonconformance", readonly=True)
    lot_id = fields.Many2one("stock.lot", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    owner_id = fields.Many2one("res.users", readonly=True)
    state = fields.Selection([("open", "Open"), ("closed", "Closed")], readonly=True)
    disposition = fields.Selection(DISPOSITIONS, readonly=True)
    date_open = fields.Datetime(string="Opened on", readonly=True)
    date_closed = fields.Datetime(string="Closed on", readonly=True)
    age_days = fields.Float(
        string="Age (days)",
        readonly=True,
        aggregator="avg",
        help="Days open: until now for open nonconformances, until closure otherwise.",
    )
    age_bucket = fields.Selection(
        [
            ("a_0_7", "0-7 days"),
            ("b_8_30", "8-30 days"),
            ("c_31_90", "31-90 days"),
            ("d_90", "Over 90 days"),
        ],
        string="Age",
        readonly=True,
    )
    nc_count = fields.Integer(string="Count", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT sub.*,
                       CASE WHEN sub.age_days <= 7 THEN 'a_0_7'
                            WHEN sub.age_days <= 30 THEN 'b_8_30'
                            WHEN sub.age_days <= 90 THEN 'c_31_90'
                            ELSE 'd_90' END AS age_bucket
                  FROM (
                    SELECT nc.id AS id,
                           nc.id AS nonconformance_id,
                           nc.lot_id AS lot_id,
                           nc.product_id AS product_id,
                           tmpl.categ_id AS product_categ_id,
                           nc.company_id AS company_id,
                           nc.owner_id AS owner_id,
                           nc.state AS state,
                           nc.disposition AS disposition,
                           nc.date_open AS date_open,
                           nc.date_closed AS date_closed,
                           EXTRACT(EPOCH FROM COALESCE(nc.date_closed,
                                   NOW() AT TIME ZONE 'UTC') - nc.date_open) / 86400.0
                               AS age_days,
                           1 AS nc_count
                      FROM med_quality_nonconformance nc
                 LEFT JOIN product_product prod ON prod.id = nc.product_id
                 LEFT JOIN product_template tmpl ON tmpl.id = prod.product_tmpl_id
                  ) sub
            )
            """,
                SQL.identifier(self._table),
            )
        )

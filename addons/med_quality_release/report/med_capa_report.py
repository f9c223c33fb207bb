from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.med_capa import CAPA_STATES, CAUSE_CATEGORIES


class MedCapaReport(models.Model):
    """CAPAs with their age and whether their cause recurs, for the KPI dashboard."""

    _name = "med.capa.report"
    _description = "CAPA KPIs"
    _auto = False
    _order = "date_open"
    _rec_name = "capa_id"

    capa_id = fields.Many2one("med.capa", string="CAPA", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    owner_id = fields.Many2one("res.users", readonly=True)
    state = fields.Selection(CAPA_STATES, readonly=True)
    is_open = fields.Boolean(string="Open", readonly=True)
    cause_category = fields.Selection(CAUSE_CATEGORIES, readonly=True)
    date_open = fields.Datetime(string="Opened on", readonly=True)
    date_closed = fields.Datetime(string="Closed on", readonly=True)
    age_days = fields.Float(
        string="Age (days)",
        readonly=True,
        aggregator="avg",
        help="Days open: until now for open CAPAs, until closure otherwise.",
    )
    age_bucket = fields.Selection(
        [
            ("a_0_30", "0-30 days"),
            ("b_31_90", "31-90 days"),
            ("c_91_180", "91-180 days"),
            ("d_180", "Over 180 days"),
        ],
        string="Age",
        readonly=True,
    )
    recurrence = fields.Integer(
        string="Recurrences",
        readonly=True,
        aggregator="sum",
        help="1 when an earlier CAPA of the company has the same cause category on the same "
        "product.",
    )
    capa_count = fields.Integer(string="Count", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT sub.*,
                       CASE WHEN sub.age_days <= 30 THEN 'a_0_30'
                            WHEN sub.age_days <= 90 THEN 'b_31_90'
                            WHEN sub.age_days <= 180 THEN 'c_91_180'
                            ELSE 'd_180' END AS age_bucket
                  FROM (
                    SELECT capa.id AS id,
                           capa.id AS capa_id,
                           capa.company_id AS company_id,
                           capa.product_id AS product_id,
                           capa.owner_id AS owner_id,
                           capa.state AS state,
                           capa.state != 'closed' AS is_open,
                           capa.cause_category AS cause_category,
                           capa.date_open AS date_open,
                           capa.date_closed AS date_closed,
                           EXTRACT(EPOCH FROM COALESCE(capa.date_closed,
                                   NOW() AT TIME ZONE 'UTC') - capa.date_open) / 86400.0
                               AS age_days,
                           CASE WHEN capa.cause_category IS NOT NULL AND EXISTS (
                                    SELECT 1 FROM med_capa earlier
                                     WHERE earlier.id < capa.id
                                       AND earlier.company_id = capa.company_id
                                       AND earlier.cause_category = capa.cause_category
                                       AND earlier.product_id IS NOT DISTINCT FROM capa.product_id
                                ) THEN 1 ELSE 0 END AS recurrence,
                           1 AS capa_count
                      FROM med_capa capa
                  ) sub
            )
            """,
                SQL.identifier(self._table),
            )
        )

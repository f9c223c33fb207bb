from odoo import api, models

# lots the release gate keeps out of production, whatever their category
BLOCKED_LOT_STATES = ("on_hold", "rejected")
# lots not released yet: the gate refuses them until QA signs their release
UNRELEASED_LOT_STATES = ("quarantine",)


class MedApsPlanCheck(models.Model):
    _inherit = "med.aps.plan.check"

    @api.model
    def _aps_issue_finders(self):
        return super()._aps_issue_finders() + ["_aps_find_held_lots"]

    @api.model
    def _aps_find_held_lots(self, company, now):
        """Open orders planned to consume a held or rejected lot (a problem) or a lot still
        in quarantine (a warning: it must be released before the order consumes it):
        reserved on their components, or pegged to them by the plan. One issue per order
        and lot."""
        self.env["stock.lot"].flush_model(["med_release_state"])
        self.env["stock.move"].flush_model(["state", "raw_material_production_id", "workorder_id"])
        self.env["stock.move.line"].flush_model(["move_id", "lot_id"])
        self.env["med.aps.peg"].flush_model(
            ["move_id", "lot_id", "workorder_id", "production_id", "company_id"]
        )
        rows = self._aps_query(
            """
            WITH planned_lot AS (
                SELECT move.raw_material_production_id AS production_id,
                       move.workorder_id, line.lot_id
                  FROM stock_move_line line
                  JOIN stock_move move ON move.id = line.move_id
                 WHERE line.lot_id IS NOT NULL
                   AND move.raw_material_production_id IS NOT NULL
                   AND move.state NOT IN ('done', 'cancel')
                UNION
                SELECT peg.production_id, COALESCE(move.workorder_id, peg.workorder_id),
                       peg.lot_id
                  FROM med_aps_peg peg
                  JOIN stock_move move ON move.id = peg.move_id
                 WHERE peg.lot_id IS NOT NULL AND peg.company_id = %(company)s
                   AND move.state NOT IN ('done', 'cancel')
            )
            SELECT DISTINCT ON (planned_lot.production_id, lot.id)
                   planned_lot.production_id, wo.id AS workorder_id, wo.workcenter_id,
                   lot.id AS lot_id, lot.med_release_state
              FROM planned_lot
              JOIN mrp_production mo ON mo.id = planned_lot.production_id
              JOIN stock_lot lot ON lot.id = planned_lot.lot_id
              LEFT JOIN mrp_workorder wo
                ON wo.id = planned_lot.workorder_id AND wo.state NOT IN ('done', 'cancel')
             WHERE mo.company_id = %(company)s AND mo.state IN %(open)s
               AND lot.med_release_state IN %(blocked)s
             ORDER BY planned_lot.production_id, lot.id, wo.id NULLS LAST
            """,
            company,
            now,
            blocked=BLOCKED_LOT_STATES + UNRELEASED_LOT_STATES,
        )
        return [
            {
                "kind": "held_lot",
                "production_id": row["production_id"],
                "workorder_id": row["workorder_id"],
                "workcenter_id": row["workcenter_id"],
                "lot_id": row["lot_id"],
                "lot_release_state": row["med_release_state"],
                "severity": "1" if row["med_release_state"] in UNRELEASED_LOT_STATES else "2",
            }
            for row in rows
        ]

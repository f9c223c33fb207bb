from odoo import api, fields, models

from ..services.pegging import MaterialPegging, SimulatedPlan

SUPPLY_KINDS = [
    ("stock", "On Hand"),
    ("receipt", "Incoming Receipt"),
    ("production", "Manufacturing Order"),
    ("none", "No Supply"),
]
PEG_STATES = [
    ("covered", "Covered"),
    ("waiting", "Plan Waits"),
    ("late", "Supply Late"),
    ("missing", "Shortage"),
]


class MedApsPeg(models.Model):
    """Which supply covers a component requirement of the plan (written by the run)."""

    _name = "med.aps.peg"
    _description = "APS Material Pegging"
    _order = "date_needed, production_id, id"
    _check_company_auto = True
    _rec_name = "move_id"

    run_id = fields.Many2one(
        "med.aps.run", "Plan Run", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    production_id = fields.Many2one(
        "mrp.production",
        "Manufacturing Order",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    move_id = fields.Many2one(
        "stock.move", "Requirement", required=True, readonly=True, index=True, ondelete="cascade"
    )
    workorder_id = fields.Many2one(
        "mrp.workorder",
        "Consumed By",
        readonly=True,
        ondelete="set null",
        help="The work order whose planned start needs the component.",
    )
    product_id = fields.Many2one(
        "product.product", "Component", required=True, readonly=True, index=True
    )
    product_tmpl_id = fields.Many2one(
        related="product_id.product_tmpl_id", store=True, index=True, string="Component Template"
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    quantity = fields.Float(digits="Product Unit", readonly=True)
    date_needed = fields.Datetime(
        "Needed", readonly=True, help="Planned start of the work order consuming it."
    )
    date_wanted = fields.Datetime(
        "Wanted By",
        readonly=True,
        help="The latest arrival that keeps the order on time: when it is needed, less the "
        "order's lateness (never before the plan was made).",
    )
    supply_kind = fields.Selection(SUPPLY_KINDS, "Supply", required=True, readonly=True)
    lot_id = fields.Many2one("stock.lot", readonly=True, ondelete="set null")
    supply_move_id = fields.Many2one("stock.move", readonly=True, index=True, ondelete="set null")
    supply_picking_id = fields.Many2one(
        related="supply_move_id.picking_id", string="Receipt", readonly=True
    )
    supply_production_id = fields.Many2one(
        "mrp.production", "Supplying Order", readonly=True, index=True, ondelete="set null"
    )
    date_supply = fields.Datetime(
        "Supply Date", readonly=True, help="When the supply arrives (empty: on hand)."
    )
    state = fields.Selection(PEG_STATES, required=True, readonly=True, index=True)
    is_shortage = fields.Boolean(
        compute="_compute_is_shortage",
        search="_search_is_shortage",
        help="The plan waits for this supply, it comes too late, or there is none.",
    )
    wait_hours = fields.Float(
        "Wait (h)", readonly=True, help="Hours from the plan's start until the supply arrives."
    )
    delay_hours = fields.Float(
        "Delays the Order (h)",
        readonly=True,
        help="Hours the order finishes later than it could because of this supply: arrival "
        "after the date wanted (for a shortage: after the vendor's lead time from now).",
    )
    supply_description = fields.Char("Covered By", compute="_compute_supply_description")

    @api.depends("state")
    def _compute_is_shortage(self):
        for peg in self:
            peg.is_shortage = peg.state != "covered"

    def _search_is_shortage(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        positive = (operator == "=") == bool(value)
        return [("state", "!=" if positive else "=", "covered")]

    @api.depends("supply_kind", "lot_id", "supply_move_id", "supply_production_id")
    def _compute_supply_description(self):
        kinds = dict(self._fields["supply_kind"]._description_selection(self.env))
        for peg in self:
            if peg.supply_kind == "stock":
                name = peg.lot_id.name
            elif peg.supply_kind == "receipt":
                move = peg.supply_move_id
                name = move.picking_id.name or move.reference or move.origin
            elif peg.supply_kind == "production":
                name = peg.supply_production_id.name
            else:
                name = False
            label = kinds.get(peg.supply_kind, "")
            peg.supply_description = f"{label}: {name}" if name else label

    @api.model
    def _aps_compute_for_run(self, run, origin):
        """Replace the pegs of the run's company after its plan was written; returns them.

        Hook: bridges extend it to act on the pegs (purchase exceptions and proposals)."""
        pegging = MaterialPegging(run, origin)
        peg_vals = pegging.peg_vals()
        self.sudo().search([("company_id", "=", run.company_id.id)]).unlink()
        pegs = self.sudo().create([dict(vals) for vals in peg_vals])
        self.env["stock.move"].sudo()._aps_update_supply_timing(run.company_id, pegs, origin)
        self.env["med.aps.holding.kpi"].sudo()._aps_compute_for_run(
            run, peg_vals, origin, pegging.plan
        )
        return pegs

    @api.model
    def _aps_simulate_for_run(self, run, scope, plan):
        """The holding cost of a simulation's plan (kept on the run, ``plan`` in the engine's
        format): its pegs are computed in memory and only the holding cost rows of the
        simulation run are written; the real plan's pegs stay as they are."""
        plan_dates = SimulatedPlan(scope, plan)
        peg_vals = MaterialPegging(run, scope.origin, plan_dates).peg_vals()
        return (
            self.env["med.aps.holding.kpi"]
            .sudo()
            ._aps_compute_for_run(run, peg_vals, scope.origin, plan_dates)
        )

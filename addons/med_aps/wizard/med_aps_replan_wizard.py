from odoo import api, fields, models


class MedApsReplanWizard(models.TransientModel):
    _name = "med.aps.replan.wizard"
    _description = "APS Replan Wizard"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    production_ids = fields.Many2many(
        "mrp.production",
        string="Manufacturing Orders",
        domain="[('company_id', '=', company_id), "
        "('state', 'in', ('confirmed', 'progress', 'to_close'))]",
        help="Leave empty to plan every confirmed or in-progress order of the company.",
    )
    workcenter_ids = fields.Many2many(
        "mrp.workcenter",
        string="Work Centers",
        domain="[('company_id', 'in', (company_id, False))]",
        help="Only plan orders with a pending operation on these work centers.",
    )
    warehouse_id = fields.Many2one("stock.warehouse", domain="[('company_id', '=', company_id)]")
    date_from = fields.Datetime("From")
    date_to = fields.Datetime("To")
    time_limit = fields.Float("Time Limit (s)", default=30.0)
    workers = fields.Integer(default=2)
    weight_tardiness = fields.Integer("Tardiness Weight", default=1000)
    weight_makespan = fields.Integer("Makespan Weight", default=1)
    weight_flow_time = fields.Integer("Flow Time Weight", default=0)
    weight_changeover = fields.Integer("Changeover Weight", default=1)
    weight_stability = fields.Integer("Stability Weight", default=1)
    frozen_hours = fields.Float("Frozen Window (h)", default=0.0)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "mrp.production" and self.env.context.get(
            "active_ids"
        ):
            values["production_ids"] = [fields.Command.set(self.env.context["active_ids"])]
        return values

    def _prepare_run_values(self):
        self.ensure_one()
        return {
            "trigger": "wizard",
            "company_id": self.company_id.id,
            "production_ids": [fields.Command.set(self.production_ids.ids)],
            "workcenter_ids": [fields.Command.set(self.workcenter_ids.ids)],
            "warehouse_id": self.warehouse_id.id,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "time_limit": self.time_limit,
            "workers": self.workers,
            "weight_tardiness": self.weight_tardiness,
            "weight_makespan": self.weight_makespan,
            "weight_flow_time": self.weight_flow_time,
            "weight_changeover": self.weight_changeover,
            "weight_stability": self.weight_stability,
            "frozen_hours": self.frozen_hours,
        }

    def action_replan(self):
        self.ensure_one()
        self.env["med.aps.run"]._check_planner()
        run = (
            self.env["med.aps.run"].with_company(self.company_id).create(self._prepare_run_values())
        )
        run.action_start()
        return run._get_form_action()

from odoo import api, fields, models

from ..models.med_aps_run import PARAM_KEYS


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
    # the run's parameters, with the run's defaults (one place: med.aps.run)
    time_limit = fields.Float("Time Limit (s)")
    workers = fields.Integer()
    weight_tardiness = fields.Integer("Tardiness Weight")
    weight_makespan = fields.Integer("Makespan Weight")
    weight_flow_time = fields.Integer("Flow Time Weight")
    weight_changeover = fields.Integer("Changeover Weight")
    weight_stability = fields.Integer(
        "Stability Weight",
        help="Cost of moving one work order of the previous plan: at the default tardiness "
        "weight, one move costs as much as 30 minutes of lateness of a normal-priority order.",
    )
    weight_earliness = fields.Integer(
        "Earliness Weight",
        help="0 plans as early as possible; a weight above the makespan weight plans orders "
        "just in time against their deadlines.",
    )
    frozen_hours = fields.Float("Frozen Window (h)")
    use_learned_durations = fields.Boolean(
        "Plan With Actual Durations",
        help="Durations learned from the latest finished work orders (Actual vs Planned "
        "Durations) instead of the routing's.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        run_defaults = self.env["med.aps.run"].default_get(
            [name for name in fields_list if name in PARAM_KEYS]
        )
        for name, value in run_defaults.items():
            values.setdefault(name, value)
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
            "weight_earliness": self.weight_earliness,
            "frozen_hours": self.frozen_hours,
            "use_learned_durations": self.use_learned_durations,
        }

    def action_replan(self):
        self.ensure_one()
        self.env["med.aps.run"]._check_planner()
        run = (
            self.env["med.aps.run"].with_company(self.company_id).create(self._prepare_run_values())
        )
        run.action_start()
        return run._get_form_action()

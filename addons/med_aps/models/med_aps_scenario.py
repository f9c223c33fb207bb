from odoo import api, fields, models
from odoo.exceptions import UserError


class MedApsScenario(models.Model):
    _name = "med.aps.scenario"
    _description = "APS What-If Scenario"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    note = fields.Text()
    line_ids = fields.One2many("med.aps.scenario.line", "scenario_id", "Changes", copy=True)
    time_limit = fields.Float(
        "Time Limit (s)",
        default=30.0,
        help="How long the solver may search for the simulated plan.",
    )
    run_ids = fields.One2many("med.aps.run", "scenario_id", "Simulations", readonly=True)
    run_count = fields.Integer("Simulation Count", compute="_compute_run_count")

    @api.depends("run_ids")
    def _compute_run_count(self):
        for scenario in self:
            scenario.run_count = len(scenario.run_ids)

    def action_simulate(self):
        """Queue a simulation of the company's plan with the scenario's changes: it keeps
        its plan on the run and writes nothing to the work orders."""
        self.ensure_one()
        Run = self.env["med.aps.run"]
        Run._check_planner()
        if not self.line_ids:
            raise UserError(
                self.env._("Scenario %s has no change to simulate: add one first.", self.name)
            )
        run = Run.with_company(self.company_id).create(
            {
                "trigger": "scenario",
                "company_id": self.company_id.id,
                "simulation": True,
                "scenario_id": self.id,
                "time_limit": self.time_limit,
            }
        )
        run.action_start()
        return run._get_form_action()

    def action_open_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("med_aps.action_med_aps_run")
        action.update(
            {
                "domain": [("scenario_id", "=", self.id)],
                "context": {"default_scenario_id": self.id},
                "display_name": self.env._("Simulations of %s", self.name),
            }
        )
        return action

from odoo import Command, api, fields, models


class MedApsRunCompare(models.TransientModel):
    _name = "med.aps.run.compare"
    _description = "Compare Plan Runs"

    run_a_id = fields.Many2one("med.aps.run", "First Run", required=True)
    run_b_id = fields.Many2one("med.aps.run", "Second Run", required=True)
    line_ids = fields.One2many(
        "med.aps.run.compare.line",
        "compare_id",
        "Figures",
        compute="_compute_line_ids",
        store=True,
        readonly=True,
    )
    late_a = fields.Text("Late Orders (First)", compute="_compute_late")
    late_b = fields.Text("Late Orders (Second)", compute="_compute_late")

    @api.depends("run_a_id", "run_b_id")
    def _compute_display_name(self):
        for wizard in self:
            wizard.display_name = self.env._(
                "%(first)s against %(second)s",
                first=wizard.run_a_id.name,
                second=wizard.run_b_id.name,
            )

    @api.depends("run_a_id", "run_b_id")
    def _compute_line_ids(self):
        for wizard in self:
            commands = [Command.clear()]
            if wizard.run_a_id and wizard.run_b_id:
                values_b = {v["key"]: v for v in wizard.run_b_id._aps_compare_values()}
                for sequence, value_a in enumerate(wizard.run_a_id._aps_compare_values()):
                    value_b = values_b.get(value_a["key"])
                    if value_b is None:
                        continue
                    commands.append(
                        Command.create(
                            {
                                "sequence": sequence,
                                "name": value_a["label"],
                                "value_a": value_a["value"],
                                "value_b": value_b["value"],
                                "lower_is_better": value_a["lower_is_better"],
                            }
                        )
                    )
            wizard.line_ids = commands

    @api.depends("run_a_id", "run_b_id")
    def _compute_late(self):
        for wizard in self:
            for run, name in ((wizard.run_a_id, "late_a"), (wizard.run_b_id, "late_b")):
                wizard[name] = "\n".join(run._aps_late_orders()) if run else False


class MedApsRunCompareLine(models.TransientModel):
    _name = "med.aps.run.compare.line"
    _description = "Compare Plan Runs: Figure"
    _order = "sequence, id"

    compare_id = fields.Many2one("med.aps.run.compare", required=True, ondelete="cascade")
    sequence = fields.Integer()
    name = fields.Char("Figure", required=True)
    value_a = fields.Float("First Run", digits=(16, 2))
    value_b = fields.Float("Second Run", digits=(16, 2))
    difference = fields.Float(
        compute="_compute_difference", digits=(16, 2), help="Second minus first."
    )
    lower_is_better = fields.Boolean()
    better = fields.Selection(
        [("a", "First"), ("b", "Second"), ("same", "Same")],
        compute="_compute_difference",
    )

    @api.depends("value_a", "value_b", "lower_is_better")
    def _compute_difference(self):
        for line in self:
            line.difference = line.value_b - line.value_a
            if abs(line.difference) < 1e-9:
                line.better = "same"
            elif (line.difference < 0) == line.lower_is_better:
                line.better = "b"
            else:
                line.better = "a"

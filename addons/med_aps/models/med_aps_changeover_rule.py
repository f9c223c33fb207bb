from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MedApsChangeoverRule(models.Model):
    _name = "med.aps.changeover.rule"
    _description = "APS Changeover Rule"
    _order = "workcenter_id, from_family_id, to_family_id, id"

    workcenter_id = fields.Many2one(
        "mrp.workcenter", "Work Center", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="workcenter_id.company_id", store=True, index=True)
    from_family_id = fields.Many2one("med.aps.setup.family", required=True, ondelete="cascade")
    to_family_id = fields.Many2one("med.aps.setup.family", required=True, ondelete="cascade")
    minutes = fields.Integer(required=True, default=0, help="Changeover time in minutes.")

    _workcenter_from_to_uniq = models.Constraint(
        "unique(workcenter_id, from_family_id, to_family_id)",
        "There is already a changeover rule for this work center and these families.",
    )
    _minutes_positive = models.Constraint(
        "CHECK(minutes >= 0)", "The changeover time cannot be negative."
    )

    @api.depends("workcenter_id", "from_family_id", "to_family_id")
    def _compute_display_name(self):
        for rule in self:
            rule.display_name = "%s: %s → %s" % (
                rule.workcenter_id.name or "",
                rule.from_family_id.name or "",
                rule.to_family_id.name or "",
            )

    @api.constrains("from_family_id", "to_family_id", "workcenter_id")
    def _check_company(self):
        for rule in self:
            for family in rule.from_family_id | rule.to_family_id:
                if family.company_id and rule.company_id and family.company_id != rule.company_id:
                    raise ValidationError(
                        self.env._(
                            "Changeover rule on %(wc)s: setup family %(family)s belongs to "
                            "another company.",
                            wc=rule.workcenter_id.display_name,
                            family=family.display_name,
                        )
                    )

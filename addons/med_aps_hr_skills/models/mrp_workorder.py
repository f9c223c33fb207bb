from odoo import models


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    def _aps_mode_requires(self, workcenter, builder):
        """The qualified operators the operation needs, on whichever work center it runs:
        ``operator_count`` of the people eligible for each qualification it requires; None
        (no mode) when fewer people can work it in the horizon."""
        requires = super()._aps_mode_requires(workcenter, builder)
        if requires is None:
            return None
        eligible = getattr(builder, "aps_operator_keys", None) or {}
        valid_until = getattr(builder, "aps_operator_valid_until", None) or {}
        for requirement in self.operation_id.aps_skill_ids:
            keys = eligible.get(requirement.id)
            if keys is None:
                continue  # read by another run's builder: not part of this problem
            if len(keys) < requirement.operator_count:
                return None
            needs = {
                "any_of": keys,
                "count": requirement.operator_count,
                "during": requirement.during,
            }
            if valid_until.get(requirement.id):
                needs["valid_until"] = valid_until[requirement.id]
            requires = requires + [needs]
        return requires

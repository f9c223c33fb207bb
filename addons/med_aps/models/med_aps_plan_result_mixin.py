from odoo import api, models
from odoo.exceptions import AccessError


class MedApsPlanResultMixin(models.AbstractModel):
    """Fields that record what a plan run decided (the unit, the batch, the planned finish,
    the plan in force when the work began). Schedule adherence, the plan check and the late
    reasons compare the shop floor with them, so only the runs and the shop-floor hooks
    write them (as superuser); a user cannot, whatever screen or API writes or creates it.
    The models name their fields in ``_aps_plan_result_fields``."""

    _name = "med.aps.plan.result.mixin"
    _description = "Written by APS Plan Runs"

    _aps_plan_result_fields = frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._aps_check_plan_result_write(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._aps_check_plan_result_write(vals)
        return super().write(vals)

    def _aps_check_plan_result_write(self, vals):
        forged = self._aps_plan_result_fields & set(vals)
        if forged and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of %(records)s are written by plan runs, not by users.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in sorted(forged)
                    ),
                    # a new record has no name yet: its kind
                    records=", ".join(self.mapped("display_name"))
                    or self.env["ir.model"]._get(self._name).display_name,
                )
            )

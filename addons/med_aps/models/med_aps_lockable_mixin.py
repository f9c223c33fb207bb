from odoo import models


class MedApsLockableMixin(models.AbstractModel):
    """Lock in the plan: the records keep their work center and dates when the plan is
    recomputed. The models define their own ``aps_locked`` field; locking is a planning
    decision, refused to non-planners whatever screen or API writes it."""

    _name = "med.aps.lockable.mixin"
    _description = "Lockable in the APS Plan"

    def write(self, vals):
        if "aps_locked" in vals:
            self.env["med.aps.run"]._check_planner()
        return super().write(vals)

    def action_aps_lock(self):
        self.aps_locked = True
        return True

    def action_aps_unlock(self):
        self.aps_locked = False
        return True

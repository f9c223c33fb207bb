from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """An activity of an open CAPA action marked done (from the chatter or the activity
        view) marks its action done, or is refused with the action's reason."""
        actions = (
            self.env["med.capa.action"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "=", "open")])
        )
        if actions:
            actions.sudo(False)._med_done_from_activity(feedback)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

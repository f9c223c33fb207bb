from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext


class MedCapaAction(models.Model):
    """An action of a CAPA: owner and due date, followed as an activity of the owner."""

    _name = "med.capa.action"
    _description = "CAPA Action"
    _order = "capa_id, sequence, id"
    _check_company_auto = True

    capa_id = fields.Many2one(
        "med.capa", string="CAPA", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="capa_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Action", required=True)
    action_type = fields.Selection(
        [("corrective", "Corrective"), ("preventive", "Preventive")],
        string="Type",
        required=True,
        default="corrective",
    )
    owner_id = fields.Many2one("res.users", required=True)
    date_deadline = fields.Date(string="Due Date", required=True)
    state = fields.Selection(
        [("open", "Open"), ("done", "Done")], default="open", required=True, readonly=True
    )
    date_done = fields.Date(string="Done on", readonly=True, copy=False)
    result = fields.Text()
    activity_id = fields.Many2one("mail.activity", readonly=True, copy=False, ondelete="set null")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su:
                vals.update(state="open", date_done=False, activity_id=False)
        actions = super().create(vals_list)
        actions._med_check_capa_open()
        for action in actions:
            action._med_schedule_activity()
        return actions

    def write(self, vals):
        self._med_check_capa_open()
        if not self.env.su and {"state", "date_done", "activity_id", "capa_id"} & set(vals):
            raise UserError(
                self.env._(
                    "CAPA action %(actions)s: its state and CAPA change only by its buttons.",
                    actions=", ".join(self.mapped("name")),
                )
            )
        res = super().write(vals)
        if {"owner_id", "date_deadline", "name"} & set(vals):
            for action in self.filtered(lambda a: a.state == "open"):
                action.activity_id.sudo().unlink()
                action._med_schedule_activity()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_open_capa(self):
        self._med_check_capa_open()
        self.activity_id.sudo().unlink()

    def action_done(self):
        self._med_check_can_be_done()
        self._med_mark_done()
        for action in self:
            activity = action.activity_id.sudo()
            if activity:
                action.sudo().activity_id = False
                activity.action_feedback(
                    feedback=self.env._("Done: %(result)s", result=action.result)
                )
        return True

    def _med_done_from_activity(self, feedback):
        """The owner marked the action's activity done from the chatter: the action is done
        as by its button, its result the feedback unless one is written. Refused (the
        activity stays) where the button would refuse, so an activity never disappears
        while its action stays open."""
        text = html2plaintext(feedback or "").strip()
        for action in self:
            if text and not (action.result or "").strip():
                action.result = text
        self._med_check_can_be_done()
        self._med_mark_done()
        self.sudo().activity_id = False

    def _med_check_can_be_done(self):
        for action in self:
            if action.state == "done":
                raise UserError(
                    self.env._("CAPA action %(action)s is already done.", action=action.name)
                )
            if action.capa_id.state != "action":
                raise UserError(
                    self.env._(
                        "CAPA action %(action)s can be done only while CAPA %(capa)s is at its "
                        "actions step.",
                        action=action.name,
                        capa=action.capa_id.name,
                    )
                )
            if not (action.result or "").strip():
                raise UserError(
                    self.env._(
                        "CAPA action %(action)s: write what was done before marking it done.",
                        action=action.name,
                    )
                )
        self.capa_id.check_access("write")

    def _med_mark_done(self):
        self.sudo().write({"state": "done", "date_done": fields.Date.context_today(self)})

    def _med_check_capa_open(self):
        closed = self.capa_id.filtered(lambda capa: capa.state == "closed")
        if closed:
            raise UserError(
                self.env._(
                    "CAPA %(capas)s is closed and signed: its actions can no longer change.",
                    capas=", ".join(closed.mapped("name")),
                )
            )

    def _med_schedule_activity(self):
        self.ensure_one()
        activity = self.capa_id.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=self.date_deadline,
            summary=self.env._(
                "CAPA %(capa)s: %(action)s", capa=self.capa_id.name, action=self.name
            ),
            user_id=self.owner_id.id,
        )
        self.sudo().activity_id = activity

from odoo import fields, models


class TestMedJob(models.Model):
    """A job of the tests: its work appends to ``log``; ``fail_with`` makes it fail."""

    _name = "test.med.job"
    _inherit = ["med.job.mixin"]
    _description = "Test Background Job"
    _job_serial_field = "company_id"
    _job_max_attempts = 2

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company)
    user_id = fields.Many2one("res.users", default=lambda s: s.env.user)
    date_started = fields.Datetime(readonly=True)
    date_finished = fields.Datetime(readonly=True)
    failure_reason = fields.Text(readonly=True)
    progress_message = fields.Char(readonly=True)
    log = fields.Text(readonly=True)
    fail_with = fields.Char()

    def _job_commit(self, processed=0, remaining=None):
        # a test transaction cannot commit
        return float("inf")

    def _job_execute(self):
        self.ensure_one()
        vals = {"log": "%s%s;" % (self.log or "", self.name)}
        if self.fail_with:
            vals.update({"state": "failed", "failure_reason": self.fail_with})
        else:
            vals.update({"state": "done", "progress": 100.0})
        vals["date_finished"] = fields.Datetime.now()
        self.sudo().write(vals)

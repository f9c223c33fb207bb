from odoo import fields, models


class TestMedApsFixture(models.Model):
    """A tool that operations need beside their work center (test-only): the smallest
    addon that plans a secondary resource through med_aps' hooks."""

    _name = "test.med.aps.fixture"
    _description = "Fixture planned beside the work centers (test)"

    name = fields.Char(required=True)
    workcenter_ids = fields.Many2many("mrp.workcenter", string="Fits")
    operation_ids = fields.Many2many("mrp.routing.workcenter", string="Needed By")
    in_service = fields.Boolean(default=True)
    unavailable_from = fields.Datetime()
    unavailable_to = fields.Datetime()
    move_minutes = fields.Integer()

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.med_aps_maintenance.models.maintenance_equipment import CALIBRATION_STATUSES
from odoo.addons.med_trace.tools.immutable_sql import reject_changes_in_database

ROLES = [("machine", "Machine"), ("tool", "Tool")]


class MedTraceEquipmentUse(models.Model):
    """Equipment a work order used (its work center's machine, the tools and moulds planned
    for it), as the device history record states it: recorded when the work order is done,
    with the calibration status at that time, and never changed afterwards."""

    _name = "med.trace.equipment.use"
    _description = "Equipment Used by a Work Order"
    _order = "production_id, workorder_id, role, id"

    workorder_id = fields.Many2one(
        "mrp.workorder", "Work Order", required=True, index=True, ondelete="restrict", readonly=True
    )
    production_id = fields.Many2one(
        "mrp.production",
        "Manufacturing Order",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    equipment_id = fields.Many2one(
        "maintenance.equipment", index=True, ondelete="restrict", readonly=True
    )
    role = fields.Selection(ROLES, required=True, readonly=True)
    name = fields.Char("Equipment Name", required=True, readonly=True)
    serial_no = fields.Char("Serial Number", readonly=True)
    used_from = fields.Datetime(readonly=True)
    used_until = fields.Datetime(readonly=True)
    calibration_status = fields.Selection(
        CALIBRATION_STATUSES,
        "Calibration at Use",
        required=True,
        readonly=True,
        help="The calibration status when the work order was done (the end of the use: valid "
        "then means valid all along).",
    )
    calibration_due_date = fields.Date("Calibration Due at Use", readonly=True)
    calibration_date = fields.Date("Last Calibration at Use", readonly=True)

    @api.depends("name", "workorder_id")
    def _compute_display_name(self):
        for use in self:
            use.display_name = "%s: %s" % (use.name, use.workorder_id.display_name)

    def init(self):
        """Also in the database: UPDATE, DELETE and TRUNCATE of recorded uses are refused."""
        result = super().init()
        table = SQL.identifier(self._table)
        # the single trigger of 19.0.1.0.0, replaced by the shared ones
        legacy = SQL.identifier("%s_immutable" % self._table)
        self.env.cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", legacy, table))
        self.env.cr.execute(SQL("DROP FUNCTION IF EXISTS med_trace_equipment_use_reject_change()"))
        reject_changes_in_database(
            self.env.cr, self._table, "med_trace_maintenance_reject_change", "med_trace_maintenance"
        )
        return result

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "The equipment a work order used is part of its device history record: "
                "%s cannot be changed.",
                ", ".join(self.mapped("display_name")),
            )
        )

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "The equipment a work order used is part of its device history record: "
                "%s cannot be deleted.",
                ", ".join(self.mapped("display_name")),
            )
        )

    @api.model
    def _record_uses(self, workorders):
        """Record what each work order used, now that it is done: its work center's machines
        and its planned tools, each with its calibration as of the end of the use."""
        vals_list = []
        for workorder in workorders:
            if self.search_count([("workorder_id", "=", workorder.id)], limit=1):
                continue  # recorded once, at the first finish
            machines = self.env["maintenance.equipment"].search(
                [("workcenter_id", "=", workorder.workcenter_id.id)], order="id"
            )
            for role, equipment in [("machine", e) for e in machines] + [
                ("tool", e) for e in workorder._aps_planned_equipment()
            ]:
                vals_list.append(workorder._med_equipment_use_vals(equipment, role))
        return self.create(vals_list)

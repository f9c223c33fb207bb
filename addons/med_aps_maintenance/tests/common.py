from odoo import Command

from odoo.addons.med_aps.tests.common import MedApsCommon


class MedApsToolingCommon(MedApsCommon):
    """The med_aps test plant with one mould shared by the two moulding work centers: both
    catheters' moulding needs it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["maintenance.equipment.category"]
        cls.mould_category = Category.create({"name": "Test Moulds", "aps_is_tooling": True})
        cls.press_category = Category.create({"name": "Test Presses"})
        cls.team = cls.env["maintenance.team"].create(
            {"name": "Tool Shop", "company_id": cls.company.id}
        )
        cls.molding_ops = (cls.bom_a | cls.bom_b).operation_ids.filtered(
            lambda op: op.name == "Molding"
        )
        cls.mould = cls.env["maintenance.equipment"].create(
            {
                "name": "Mould CATH-7",
                "category_id": cls.mould_category.id,
                "company_id": cls.company.id,
                "aps_fit_workcenter_ids": [Command.set((cls.wc_molding_1 | cls.wc_molding_2).ids)],
                "aps_move_minutes": 20,
            }
        )
        for operation in cls.molding_ops:
            cls.env["med.aps.operation.tool"].create(
                {"operation_id": operation.id, "equipment_ids": [Command.set(cls.mould.ids)]}
            )
        cls.productions = cls.env["mrp.production"]
        for index in range(4):
            product, bom = (cls.catheter_a, cls.bom_a) if index % 2 else (cls.catheter_b, cls.bom_b)
            cls.productions |= cls._create_mo(product, bom, qty=3, deadline_days=1)
        cls.molding = cls.productions.workorder_ids.filtered(lambda wo: wo.name == "Molding")

    def _tool_lines(self, tool=None):
        domain = [
            ("production_id", "in", self.productions.ids),
            ("res_model", "=", "maintenance.equipment"),
        ]
        if tool:
            domain.append(("res_id", "=", tool.id))
        return self.env["med.aps.workorder.resource"].search(domain, order="date_start")

    def _press(self, name, workcenter, **values):
        return self.env["maintenance.equipment"].create(
            dict(
                name=name,
                category_id=self.press_category.id,
                company_id=self.company.id,
                workcenter_id=workcenter.id,
                **values,
            )
        )

    def _maintenance(self, equipment, begin, end, kind="preventive"):
        return self.env["maintenance.request"].create(
            {
                "name": "Service of %s" % equipment.name,
                "equipment_id": equipment.id,
                "company_id": self.company.id,
                "maintenance_type": kind,
                "maintenance_team_id": self.team.id,
                "schedule_date": begin,
                "schedule_end": end,
            }
        )

from datetime import timedelta

from odoo import Command, fields

from odoo.addons.med_aps.tests.common import MedApsCommon


class QualifiedOperatorsCommon(MedApsCommon):
    """The test plant of med_aps with a cleanroom qualification: assembly needs one operator
    qualified in cleanroom gowning; Ana and Carla are, Li Wei's qualification has expired,
    Bo is a trainee."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.skill_type = cls.env["hr.skill.type"].create(
            {
                "name": "Cleanroom Qualification",
                "is_certification": True,
                "skill_ids": [Command.create({"name": "Cleanroom gowning"})],
                "skill_level_ids": [
                    Command.create({"name": "Trainee", "level_progress": 30}),
                    Command.create({"name": "Qualified", "level_progress": 70}),
                ],
            }
        )
        cls.gowning = cls.skill_type.skill_ids
        cls.trainee, cls.qualified = cls.skill_type.skill_level_ids.sorted("level_progress")
        cls.today = fields.Date.context_today(cls.env.user)
        cls.ana = cls._create_operator("Ana Costa", cls.qualified, valid_days=(-200, 200))
        cls.carla = cls._create_operator("Carla Diaz", cls.qualified, valid_days=(-30, None))
        cls.li_wei = cls._create_operator("Li Wei", cls.qualified, valid_days=(-370, -5))
        cls.bo = cls._create_operator("Bo Lind", cls.trainee, valid_days=(-10, 300))
        cls.assembly_ops = (cls.bom_a | cls.bom_b).operation_ids.filtered(
            lambda op: op.name == "Assembly"
        )
        cls.requirements = cls.env["med.aps.operation.skill"].create(
            [
                {
                    "operation_id": operation.id,
                    "skill_type_id": cls.skill_type.id,
                    "skill_id": cls.gowning.id,
                    "skill_level_id": cls.qualified.id,
                }
                for operation in cls.assembly_ops
            ]
        )
        # a second assembly line: without the operators two assemblies could run at once
        cls.wc_assembly_2 = cls.wc_assembly.copy({"name": "Assembly 2"})
        cls.wc_assembly.alternative_workcenter_ids = cls.wc_assembly_2
        cls.productions = cls.env["mrp.production"]
        for index in range(4):
            product, bom = (cls.catheter_a, cls.bom_a) if index % 2 else (cls.catheter_b, cls.bom_b)
            cls.productions |= cls._create_mo(product, bom, deadline_days=2)

    @classmethod
    def _create_operator(cls, name, level, valid_days):
        employee = cls.env["hr.employee"].create(
            {
                "name": name,
                "company_id": cls.company.id,
                "resource_calendar_id": cls.calendar.id,
                "tz": "UTC",
            }
        )
        valid_from, valid_to = valid_days
        cls.env["hr.employee.skill"].create(
            {
                "employee_id": employee.id,
                "skill_type_id": cls.skill_type.id,
                "skill_id": cls.skill_type.skill_ids.id,
                "skill_level_id": level.id,
                "valid_from": cls.today + timedelta(days=valid_from),
                "valid_to": valid_to is not None and cls.today + timedelta(days=valid_to),
            }
        )
        return employee

    def _operator_lines(self, productions=None):
        return self.env["med.aps.workorder.resource"].search(
            [
                ("production_id", "in", (productions or self.productions).ids),
                ("kind", "=", "operator"),
            ],
            order="date_start",
        )

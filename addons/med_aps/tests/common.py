from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase

from odoo.addons.med_aps.services.plan_reader import PlanReader
from odoo.addons.med_aps.services.problem_builder import ProblemBuilder


class MedApsCommon(TransactionCase):
    """A small plant in its own company.

    * calendar: Monday to Friday, 06:00-22:00 UTC (two shifts)
    * Molding 1 and Molding 2 (alternatives; Molding 2 is slower), setup 10 / cleanup 5 min,
      changeover default 15 min and 30 min from family A to B
    * Assembly, and a Sterilizer running 240 min batch cycles of up to 4 orders
    * products: Tube (component, made by its own MO), Resin (purchased), Catheter A / B
    * routing of a catheter: Molding (60 min) -> Assembly (30 min, consumes the tube)
      -> Sterilization (batch, then a 120 min hold)
    """

    TIME_LIMIT = 2.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "APS Test Plant"})
        cls.env.user.company_ids |= cls.company
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                allowed_company_ids=[cls.company.id],
                tracking_disable=True,
                mail_notrack=True,
            )
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "APS two shifts",
                "company_id": cls.company.id,
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": "Shift %s/%s" % (day, shift),
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for shift, (hour_from, hour_to, period) in enumerate(
                        ((6.0, 14.0, "morning"), (14.0, 22.0, "afternoon"))
                    )
                ],
            }
        )
        Family = cls.env["med.aps.setup.family"]
        cls.family_a = Family.create({"name": "Family A", "code": "A"})
        cls.family_b = Family.create({"name": "Family B", "code": "B"})
        cls.batch_family = cls.env["med.aps.batch.family"].create(
            {"name": "EO cycle", "code": "EO"}
        )
        Workcenter = cls.env["mrp.workcenter"]
        common_wc = {"company_id": cls.company.id, "resource_calendar_id": cls.calendar.id}
        cls.wc_molding_2 = Workcenter.create(
            dict(
                common_wc,
                name="Molding 2",
                time_efficiency=80,
                time_start=10,
                time_stop=5,
                aps_changeover_default_minutes=15,
            )
        )
        cls.wc_molding_1 = Workcenter.create(
            dict(
                common_wc,
                name="Molding 1",
                time_start=10,
                time_stop=5,
                aps_changeover_default_minutes=15,
                alternative_workcenter_ids=[Command.set(cls.wc_molding_2.ids)],
                aps_changeover_rule_ids=[
                    Command.create(
                        {
                            "from_family_id": cls.family_a.id,
                            "to_family_id": cls.family_b.id,
                            "minutes": 30,
                        }
                    )
                ],
            )
        )
        cls.wc_assembly = Workcenter.create(dict(common_wc, name="Assembly"))
        cls.wc_sterilizer = Workcenter.create(
            dict(
                common_wc,
                name="Sterilizer",
                aps_batch_enabled=True,
                aps_batch_capacity_type="mo",
                aps_batch_max_size=4,
                aps_batch_cycle_minutes=240,
            )
        )
        cls.wc_extrusion = Workcenter.create(dict(common_wc, name="Extrusion"))

        Product = cls.env["product.product"]
        cls.resin = Product.create({"name": "Resin", "is_storable": True})
        cls.tube = Product.create({"name": "Tube", "is_storable": True})
        cls.catheter_a = Product.create(
            {
                "name": "Catheter A",
                "is_storable": True,
                "aps_setup_family_id": cls.family_a.id,
                "aps_batch_family_id": cls.batch_family.id,
            }
        )
        cls.catheter_b = Product.create(
            {
                "name": "Catheter B",
                "is_storable": True,
                "aps_setup_family_id": cls.family_b.id,
                "aps_batch_family_id": cls.batch_family.id,
            }
        )
        cls.bom_tube = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.tube.product_tmpl_id.id,
                "product_qty": 1,
                "company_id": cls.company.id,
                "operation_ids": [
                    Command.create(
                        {
                            "name": "Extrude",
                            "workcenter_id": cls.wc_extrusion.id,
                            "time_cycle_manual": 45,
                        }
                    )
                ],
            }
        )
        cls.bom_a = cls._create_catheter_bom(cls.catheter_a)
        cls.bom_b = cls._create_catheter_bom(cls.catheter_b)
        # enough tubes on hand for the MOs that are not fed by a tube MO
        cls.env["stock.quant"]._update_available_quantity(cls.tube, cls.warehouse.lot_stock_id, 100)
        cls.env["stock.quant"]._update_available_quantity(
            cls.resin, cls.warehouse.lot_stock_id, 100
        )
        cls.planner = cls.env["res.users"].create(
            {
                "name": "APS Planner",
                "login": "aps_planner_test",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("med_aps.group_aps_planner").id,
                            cls.env.ref("base.group_user").id,
                        ]
                    )
                ],
            }
        )
        cls.aps_user = cls.env["res.users"].create(
            {
                "name": "APS Reader",
                "login": "aps_reader_test",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("med_aps.group_aps_user").id,
                            cls.env.ref("base.group_user").id,
                        ]
                    )
                ],
            }
        )

    @classmethod
    def _create_catheter_bom(cls, product):
        bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "company_id": cls.company.id,
                "operation_ids": [
                    Command.create(
                        {
                            "name": "Molding",
                            "workcenter_id": cls.wc_molding_1.id,
                            "time_cycle_manual": 60,
                            "sequence": 10,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Assembly",
                            "workcenter_id": cls.wc_assembly.id,
                            "time_cycle_manual": 30,
                            "sequence": 20,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Sterilization",
                            "workcenter_id": cls.wc_sterilizer.id,
                            "time_cycle_manual": 240,
                            "sequence": 30,
                            "aps_hold_minutes": 120,
                        }
                    ),
                ],
            }
        )
        molding, assembly = bom.operation_ids.sorted("sequence")[:2]
        bom.bom_line_ids = [
            Command.create(
                {
                    "product_id": cls.resin.id,
                    "product_qty": 1,
                    "operation_id": molding.id,
                }
            ),
            Command.create(
                {
                    "product_id": cls.tube.id,
                    "product_qty": 1,
                    "operation_id": assembly.id,
                }
            ),
        ]
        return bom

    def _shut_down_until(self, end):
        """Every work center of the test plant closed from a day ago until ``end``."""
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Shutdown",
                "calendar_id": self.calendar.id,
                "company_id": self.company.id,
                "date_from": fields.Datetime.now() - timedelta(days=1),
                "date_to": end,
            }
        )

    def _more_work_than_planned(self, workorders):
        """The planned work order of ``workorders`` that starts last (an hour from now or
        later, off batch work centers), given three times its work and an hour more than
        its plan has time for; returned."""
        later = workorders.filtered(
            lambda wo: (
                wo.date_start > fields.Datetime.now() + timedelta(hours=1)
                and not wo.workcenter_id.aps_batch_enabled
            )
        ).sorted("date_start")[-1]
        later.duration_expected = later.duration_expected * 3 + 60
        return later

    @classmethod
    def _create_mo(cls, product, bom, qty=1, deadline_days=5, priority="0", confirm=True):
        production = cls.env["mrp.production"].create(
            {
                "product_id": product.id,
                "bom_id": bom.id,
                "product_qty": qty,
                "company_id": cls.company.id,
                "picking_type_id": cls.warehouse.manu_type_id.id,
                "date_deadline": fields.Datetime.now() + timedelta(days=deadline_days),
                "priority": priority,
            }
        )
        if confirm:
            production.action_confirm()
        return production

    # ------------------------------------------------------------------ helpers
    def _company_lock_key(self, company=None):
        """The advisory lock a worker holds while it plans for the company (the test's)."""
        return self.env["med.aps.run"]._job_serial_lock_key((company or self.company).id)

    def _run(self, productions=None, **values):
        """Replan synchronously (like ``api_replan(wait=True)``) and return the run."""
        vals = {
            "trigger": "api",
            "company_id": self.company.id,
            "time_limit": self.TIME_LIMIT,
            "workers": 1,
        }
        if productions is not None:
            vals["production_ids"] = [Command.set(productions.ids)]
        vals.update(values)
        run = self.env["med.aps.run"].create(vals)
        run._process_now()
        return run

    def _snapshot(self, productions):
        """Every planning-relevant value of the orders and their work orders."""
        self.env.invalidate_all()
        workorders = productions.workorder_ids.sorted("id")
        return {
            "workorders": [
                (
                    wo.id,
                    wo.workcenter_id.id,
                    wo.date_start,
                    wo.date_finished,
                    wo.leave_id.id,
                    wo.leave_id.date_from,
                    wo.leave_id.date_to,
                    wo.duration_expected,
                    wo.aps_run_id.id,
                )
                for wo in workorders
            ],
            "productions": [
                (p.id, p.date_start, p.date_finished, p.aps_planned_finish, p.aps_last_run_id.id)
                for p in productions.sorted("id")
            ],
        }

    def _rebuild_and_validate(self, run):
        """Re-read the written plan from Odoo's records and check it with the engine."""
        from med_aps_engine import validate

        self.env.invalidate_all()
        problem, scope = ProblemBuilder(run, origin=run.plan_origin).build()
        plan = PlanReader(scope).read_plan()
        return problem, plan, validate(problem, plan)

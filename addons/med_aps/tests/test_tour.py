from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestMedApsReplanTour(HttpCase):
    """Browser tour: the work order timeline, then a replan from the manufacturing order list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.admin = env.ref("base.user_admin")
        workcenter = env["mrp.workcenter"].create(
            {
                "name": "Tour Press",
                "resource_calendar_id": env.company.resource_calendar_id.id,
            }
        )
        product = env["product.product"].create({"name": "Tour Widget", "is_storable": True})
        operations = [("Pressing", 30), ("Trimming", 20)]
        bom = env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "operation_ids": [
                    Command.create(
                        {"name": name, "workcenter_id": workcenter.id, "time_cycle_manual": minutes}
                    )
                    for name, minutes in operations
                ],
            }
        )
        deadline = fields.Datetime.now() + timedelta(days=2)
        cls.productions = env["mrp.production"].create(
            [
                {
                    "product_id": product.id,
                    "product_qty": 2,
                    "bom_id": bom.id,
                    "origin": "TOUR-APS-%d" % index,
                    "date_deadline": deadline,
                }
                for index in (1, 2)
            ]
        )
        cls.productions.action_confirm()
        # dated work orders for the timeline (Odoo's own planning; no solver needed here)
        cls.productions.button_plan()
        late, other = cls.productions
        late.write({"aps_planned_finish": deadline + timedelta(hours=5), "aps_planned": True})
        other.workorder_ids[0].aps_locked = True
        other.workorder_ids[1].aps_changeover_minutes = 25
        cls._oven_on_three_units(env)

    @classmethod
    def _oven_on_three_units(cls, env):
        """Three work orders at the same time on the three units of one oven, each running
        from tomorrow morning to the day after: through the night (a break in the bar)."""
        oven = env["mrp.workcenter"].create(
            {
                "name": "Tour Oven",
                "resource_calendar_id": env.company.resource_calendar_id.id,
                "aps_parallel_capacity": 3,
            }
        )
        product = env["product.product"].create({"name": "Tour Baked Part"})
        bom = env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "operation_ids": [
                    Command.create(
                        {"name": "Baking", "workcenter_id": oven.id, "time_cycle_manual": 60}
                    )
                ],
            }
        )
        bakes = env["mrp.production"].create(
            [{"product_id": product.id, "product_qty": 1, "bom_id": bom.id} for _unit in range(3)]
        )
        bakes.action_confirm()
        tomorrow = fields.Datetime.now().replace(hour=8, minute=0, second=0) + timedelta(days=1)
        for unit, workorder in enumerate(bakes.workorder_ids, start=1):
            workorder.with_context(bypass_duration_calculation=True).write(
                {
                    "date_start": tomorrow,
                    "date_finished": tomorrow + timedelta(hours=26),
                    "aps_unit": unit,
                }
            )

    def test_replan_tour(self):
        late, other = self.productions
        self.assertTrue(late.aps_is_late, "the tour needs one late order to highlight")
        self.assertTrue(all(wo.date_start for wo in self.productions.workorder_ids))
        dates_before = {wo.id: (wo.date_start, wo.date_finished) for wo in other.workorder_ids}
        runs_before = self.env["med.aps.run"].search([])

        self.start_tour("/odoo/aps-timeline", "med_aps_replan_tour", login="admin")

        run = self.env["med.aps.run"].search([("id", "not in", runs_before.ids)])
        self.assertEqual(len(run), 1, "the tour replans once")
        self.assertEqual(run.production_ids, self.productions)
        self.assertEqual(run.trigger, "server_action")
        self.assertEqual(run.user_id, self.admin)
        # the run was queued for the scheduled action (nothing moved inside the request),
        # then cancelled by the tour from "another session" while its form was open
        self.assertEqual(run.state, "cancelled")
        self.assertEqual(
            {wo.id: (wo.date_start, wo.date_finished) for wo in other.workorder_ids},
            dates_before,
        )

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsExecutionKpi(MedApsCommon):
    """Plan against execution: adherence to the plan a work order was started under, planned
    against logged minutes, on-time completion of orders; values computed by hand."""

    def setUp(self):
        super().setUp()
        self.production = self._create_mo(self.catheter_a, self.bom_a, deadline_days=3)
        run = self._run(self.production)
        self.assertEqual(run.state, "done", run.failure_reason)
        self.now = fields.Datetime.now().replace(microsecond=0)
        self.molding, self.assembly = self.production.workorder_ids.sorted("sequence")[:2]

    def _plan(self, workorder, start, end):
        # as the plan writer stores them (Odoo's write would recompute the end)
        workorder.with_context(bypass_duration_calculation=True).write(
            {"date_start": start, "date_finished": end}
        )

    def _rows(self):
        Kpi = self.env["med.aps.execution.kpi"]
        Kpi.invalidate_model()
        return Kpi.search([("production_id", "=", self.production.id)])

    def test_adherence_and_logged_minutes(self):
        # on schedule: started 10 min after its planned start, finished 50 min before its end
        self._plan(self.molding, self.now - timedelta(minutes=10), self.now + timedelta(minutes=50))
        self.molding.button_start()
        self.assertEqual(self.molding.aps_planned_start, self.now - timedelta(minutes=10))
        self.assertEqual(self.molding.aps_planned_end, self.now + timedelta(minutes=50))
        self.molding.duration = 42.0
        self.molding.button_finish()
        # three hours late
        self._plan(self.assembly, self.now - timedelta(hours=3), self.now - timedelta(hours=2))
        self.assembly.button_start()
        self.assembly.duration = 30.0
        self.assembly.button_finish()

        rows = self._rows()
        by_wo = {row.workorder_id: row for row in rows}
        self.assertEqual(set(by_wo), {self.molding, self.assembly})
        on_time, late = by_wo[self.molding], by_wo[self.assembly]
        self.assertEqual(on_time.adherence_percent, 100.0)
        self.assertAlmostEqual(on_time.start_delay_minutes, 10.0, delta=1.0)
        self.assertEqual(late.adherence_percent, 0.0)
        self.assertAlmostEqual(late.start_delay_minutes, 180.0, delta=1.0)
        # the timer of the start adds its seconds to the logged 42 minutes
        self.assertAlmostEqual(on_time.actual_minutes, 42.0, delta=0.5)
        self.assertEqual(on_time.planned_minutes, self.molding.duration_expected)
        # grouped: the average of the two, and the sums
        [group] = self.env["med.aps.execution.kpi"]._read_group(
            [("production_id", "=", self.production.id)],
            [],
            ["adherence_percent:avg", "actual_minutes:sum"],
        )
        self.assertEqual(group[0], 50.0)
        self.assertAlmostEqual(group[1], 72.0, delta=1.0)
        # a stricter tolerance: the first one is off by 10 and 50 minutes
        self.env["ir.config_parameter"].sudo().set_param("med_aps.adherence_tolerance_minutes", "5")
        self.assertEqual(
            self._rows().filtered(lambda r: r.workorder_id == self.molding).adherence_percent, 0.0
        )

    def test_work_orders_not_planned_by_aps_have_no_adherence(self):
        self.molding.aps_run_id = False
        self.molding.button_start()
        self.molding.button_finish()
        [row] = self._rows()
        self.assertFalse(row.planned_start)
        self.assertFalse(row.adherence_percent)

    def test_on_time_completion(self):
        late = self._create_mo(self.catheter_b, self.bom_b)
        deadline = self.now - timedelta(days=1)
        self.env.flush_all()
        # what Odoo stores for finished orders: one by its deadline, one 5 hours after
        for production, finished in (
            (self.production, deadline - timedelta(hours=2)),
            (late, deadline + timedelta(hours=5)),
        ):
            self.env.cr.execute(
                "UPDATE mrp_production SET state = 'done', date_finished = %s, "
                "date_deadline = %s WHERE id = %s",
                [finished, deadline, production.id],
            )
        self.env.invalidate_all()
        Kpi = self.env["med.aps.ontime.kpi"]
        rows = Kpi.search([("production_id", "in", (self.production | late).ids)])
        by_mo = {row.production_id: row for row in rows}
        self.assertEqual(by_mo[self.production].on_time_percent, 100.0)
        self.assertEqual(by_mo[late].on_time_percent, 0.0)
        self.assertAlmostEqual(by_mo[late].late_hours, 5.0, places=2)
        [group] = Kpi._read_group(
            [("production_id", "in", (self.production | late).ids)], [], ["on_time_percent:avg"]
        )
        self.assertEqual(group[0], 50.0)

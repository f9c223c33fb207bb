from datetime import date, datetime, timedelta

from freezegun import freeze_time

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

    def test_days_are_the_plants_days(self):
        """A plant in Shanghai finishing at 04:00 its time (20:00 UTC the day before) counts
        the work order and the order on its own day, whoever reads the report."""
        self.assertTrue(self.company.resource_calendar_id)
        self.company.resource_calendar_id.tz = "Asia/Shanghai"
        finished = datetime(2026, 3, 1, 20, 0)
        with freeze_time(finished - timedelta(hours=1)):
            self.molding.button_start()
        with freeze_time(finished):
            self.molding.button_finish()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mrp_production SET state = 'done', date_finished = %s, date_deadline = %s "
            "WHERE id = %s",
            [finished, finished + timedelta(hours=1), self.production.id],
        )
        self.env.invalidate_all()

        def days(model, domain):
            Kpi = self.env[model].with_context(tz="America/New_York")
            Kpi.invalidate_model()
            groups = Kpi._read_group(domain, ["date:day"], ["__count"])
            return Kpi.search(domain).date, [day for day, _count in groups]

        for model, domain in (
            ("med.aps.execution.kpi", [("workorder_id", "=", self.molding.id)]),
            ("med.aps.ontime.kpi", [("production_id", "=", self.production.id)]),
        ):
            self.assertEqual(days(model, domain), (date(2026, 3, 2), [date(2026, 3, 2)]), model)
        # a company without working hours counts UTC days
        self.company.resource_calendar_id = False
        for model, domain in (
            ("med.aps.execution.kpi", [("workorder_id", "=", self.molding.id)]),
            ("med.aps.ontime.kpi", [("production_id", "=", self.production.id)]),
        ):
            self.assertEqual(days(model, domain)[0], date(2026, 3, 1), model)

    def test_unit_change_time_planned_against_actual(self):
        """Planned changeover minutes against the setup minutes logged (Odoo's loss reason
        Setup and Adjustments), per changeover and per unit, by work center and family."""
        setup = self.env.ref("mrp.block_reason2")
        before = self._create_mo(self.catheter_b, self.bom_b)
        previous = before.workorder_ids.sorted("sequence")[0]
        molding = self._create_mo(self.catheter_a, self.bom_a, qty=4).workorder_ids.sorted(
            "sequence"
        )[0]
        molding.workcenter_id = previous.workcenter_id = self.molding.workcenter_id
        molding.aps_changeover_minutes = 25
        t0 = self.now - timedelta(hours=5)

        def log(minutes, start, workorder=None):
            record = self.env["mrp.workcenter.productivity"].create(
                {
                    "workcenter_id": molding.workcenter_id.id,
                    "workorder_id": workorder.id if workorder else False,
                    "loss_id": setup.id,
                    "date_start": start,
                    "date_end": start + timedelta(minutes=minutes),
                    "company_id": self.company.id,
                }
            )
            # Odoo counts a block's minutes in the work center's working hours: as logged
            record.duration = minutes
            return record

        with freeze_time(t0):
            previous.button_start()
        # set up while the previous work order runs: not this work order's changeover
        log(15, t0 + timedelta(minutes=10))
        with freeze_time(t0 + timedelta(minutes=60)):
            previous.button_finish()
        # after it, before the next work order: the changeover to it (30 min), and 6 min of
        # adjustment logged on the work order itself
        log(30, t0 + timedelta(minutes=70))
        with freeze_time(t0 + timedelta(minutes=105)):
            molding.button_start()
        log(6, t0 + timedelta(minutes=110), molding)
        with freeze_time(t0 + timedelta(minutes=160)):
            molding.button_finish()
        # another work center's setup at that time counts for none of them
        self.env["mrp.workcenter.productivity"].create(
            {
                "workcenter_id": self.wc_assembly.id,
                "loss_id": setup.id,
                "date_start": t0 + timedelta(minutes=80),
                "date_end": t0 + timedelta(minutes=90),
                "company_id": self.company.id,
            }
        )
        Kpi = self.env["med.aps.execution.kpi"]
        Kpi.invalidate_model()
        rows = Kpi.search([("workorder_id", "in", (previous | molding).ids)])
        by_wo = {row.workorder_id: row for row in rows}
        row, first = by_wo[molding], by_wo[previous]
        self.assertEqual(row.quantity, 4.0)
        self.assertEqual(row.changeover_minutes, 25.0)
        self.assertEqual(row.changeover_count, 1)
        self.assertAlmostEqual(row.actual_changeover_minutes, 36.0, places=2)
        self.assertEqual(row.actual_changeover_count, 1)
        self.assertEqual(row.changeover_per_change, 25.0)
        self.assertAlmostEqual(row.actual_changeover_per_change, 36.0, places=2)
        self.assertAlmostEqual(row.changeover_per_unit, 6.25, places=2)
        self.assertAlmostEqual(row.actual_changeover_per_unit, 9.0, places=2)
        # the first work order of the work center: no planned changeover, none logged before
        # it (the 15 minutes came after its start)
        self.assertEqual(first.changeover_count, 0)
        self.assertEqual(first.actual_changeover_minutes, 0.0)
        self.assertEqual(first.actual_changeover_count, 0)
        self.assertFalse(first.changeover_per_change)
        self.assertFalse(first.actual_changeover_per_change)
        # by work center and by family: per changeover averages the work orders that had one
        for groupby in ("workcenter_id", "setup_family_id"):
            groups = Kpi._read_group(
                [("workorder_id", "in", (previous | molding).ids)],
                [groupby],
                [
                    "changeover_minutes:sum",
                    "actual_changeover_minutes:sum",
                    "changeover_count:sum",
                    "actual_changeover_count:sum",
                    "changeover_per_change:avg",
                    "actual_changeover_per_change:avg",
                ],
            )
            totals = [sum(group[k] or 0 for group in groups) for k in (1, 2, 3, 4)]
            self.assertAlmostEqual(totals[0], 25.0)
            self.assertAlmostEqual(totals[1], 36.0, places=2)
            self.assertEqual(totals[2:], [1, 1])
            with_change = [group for group in groups if group[3]]
            self.assertEqual(len(with_change), 1)
            self.assertEqual(with_change[0][5], 25.0)
            self.assertAlmostEqual(with_change[0][6], 36.0, places=2)

    def test_a_setup_logged_on_the_work_center_counts_once(self):
        """Two work orders side by side on the two units of a work center after one setup
        logged on the work center: its minutes count once, for the first one started."""
        self.wc_molding_1.aps_parallel_capacity = 2
        earlier, first, second = (
            self._create_mo(self.catheter_a, self.bom_a).workorder_ids.sorted("sequence")[0]
            for _round in range(3)
        )
        self.assertEqual((earlier | first | second).workcenter_id, self.wc_molding_1)
        t0 = self.now - timedelta(hours=6)
        with freeze_time(t0):
            earlier.button_start()
        with freeze_time(t0 + timedelta(minutes=120)):
            earlier.button_finish()
        log = self.env["mrp.workcenter.productivity"].create(
            {
                "workcenter_id": self.wc_molding_1.id,
                "loss_id": self.env.ref("mrp.block_reason2").id,
                "date_start": t0 + timedelta(minutes=130),
                "date_end": t0 + timedelta(minutes=145),
                "company_id": self.company.id,
            }
        )
        log.duration = 15
        # both units start after the setup, the second one while the first one runs
        with freeze_time(t0 + timedelta(minutes=150)):
            first.button_start()
        with freeze_time(t0 + timedelta(minutes=180)):
            second.button_start()
        with freeze_time(t0 + timedelta(minutes=210)):
            first.button_finish()
        with freeze_time(t0 + timedelta(minutes=240)):
            second.button_finish()
        Kpi = self.env["med.aps.execution.kpi"]
        Kpi.invalidate_model()
        rows = Kpi.search([("workorder_id", "in", (earlier | first | second).ids)])
        by_wo = {row.workorder_id: row for row in rows}
        self.assertAlmostEqual(by_wo[first].actual_changeover_minutes, 15.0, places=2)
        self.assertEqual(by_wo[first].actual_changeover_count, 1)
        self.assertEqual(by_wo[second].actual_changeover_minutes, 0.0)
        self.assertEqual(by_wo[second].actual_changeover_count, 0)
        self.assertEqual(by_wo[earlier].actual_changeover_minutes, 0.0)
        [group] = Kpi._read_group(
            [("workorder_id", "in", (earlier | first | second).ids)],
            [],
            ["actual_changeover_minutes:sum", "actual_changeover_count:sum"],
        )
        self.assertAlmostEqual(group[0], 15.0, places=2)
        self.assertEqual(group[1], 1)

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsStability(MedApsCommon):
    """A replan with nothing changed keeps the plan the shop floor follows; a change moves
    what it must; the run says how many work orders moved and why."""

    TIME_LIMIT = 4.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.productions = cls.env["mrp.production"]
        for index in range(8):
            product, bom = (cls.catheter_a, cls.bom_a) if index % 2 else (cls.catheter_b, cls.bom_b)
            cls.productions |= cls._create_mo(product, bom, qty=1 + index % 3, deadline_days=2)

    @staticmethod
    def _clock(moment):
        """The planner's "now" (plan origin, past starts); the solver's own timer runs on."""
        return patch("odoo.fields.Datetime.now", return_value=moment)

    def _positions(self):
        self.env.invalidate_all()
        return {
            wo.id: (wo.workcenter_id.id, wo.date_start) for wo in self.productions.workorder_ids
        }

    def test_unchanged_replan_moves_nothing(self):
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        with self._clock(now):
            first = self._run(self.productions)
            self.assertEqual(first.state, "done", first.failure_reason)
            before = self._positions()
            second = self._run(self.productions)
        self.assertEqual(second.state, "done", second.failure_reason)
        workorders = len(before)
        self.assertEqual(second.workorder_count, workorders)
        self.assertLessEqual(second.moved_count, 0.02 * workorders)
        after = self._positions()
        changed = [wo for wo in before if before[wo] != after[wo]]
        self.assertEqual(len(changed), second.moved_count)
        # the same or a better plan
        self.assertLessEqual(second.weighted_tardiness, first.weighted_tardiness + 1e-6)
        self.assertLessEqual(second.objective, first.objective)
        self.assertEqual(
            second.moved_note,
            "%s kept their place; 0 had to move; 0 moved to improve the plan; "
            "0 planned for the first time." % workorders,
        )
        _problem, _plan, violations = self._rebuild_and_validate(second)
        self.assertEqual(violations, [])

    def test_a_passed_start_and_a_rush_order_move_what_they_must(self):
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        with self._clock(now):
            first = self._run(self.productions)
        self.assertEqual(first.state, "done", first.failure_reason)
        # Odoo's own dates were no plan to keep: the first run plans every work order anew
        self.assertIn("0 kept their place", first.moved_note)
        before = self._positions()
        first_start = min(start for _wc, start in before.values())
        rush = self._create_mo(self.catheter_a, self.bom_a, deadline_days=1, priority="1")
        # an hour after the plan's first start: what was planned to start before then has
        # not started and has to move
        later = first_start + timedelta(hours=1)
        with self._clock(later):
            second = self._run(self.productions | rush)
        self.assertEqual(second.state, "done", second.failure_reason)
        passed = [wo for wo, (_wc, start) in before.items() if start < later]
        self.assertTrue(passed)
        self.assertGreaterEqual(second.moved_forced_count, len(passed))
        after = self._positions()
        for wo in passed:
            self.assertGreaterEqual(after[wo][1], later)
        self.assertTrue(all(wo.date_start for wo in rush.workorder_ids))
        self.assertIn("%s had to move" % second.moved_forced_count, second.moved_note)
        self.assertIn("%s planned for the first time" % len(rush.workorder_ids), second.moved_note)
        _problem, _plan, violations = self._rebuild_and_validate(second)
        self.assertEqual(violations, [])

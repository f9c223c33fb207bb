from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..lib import iso2859
from .common import MedQualityCommon


@tagged("post_install", "-at_install")
class TestIso2859(MedQualityCommon):
    def test_code_letters(self):
        """Table 1: code letter by lot size and inspection level."""
        cases = [
            # lot size, level, expected letter
            (5, "II", "A"),
            (8, "III", "B"),
            (20, "II", "C"),
            (50, "I", "C"),
            (100, "II", "F"),
            (280, "II", "G"),
            (281, "II", "H"),
            (500, "III", "J"),
            (1000, "II", "J"),
            (1000, "I", "G"),
            (1000, "S-1", "C"),
            (1000, "S-4", "F"),
            (3201, "II", "L"),
            (10000, "II", "L"),
            (10001, "II", "M"),
            (35001, "III", "P"),
            (500001, "II", "Q"),
            (600000, "III", "R"),
            (600000, "S-2", "E"),
        ]
        for lot_size, level, letter in cases:
            with self.subTest(lot_size=lot_size, level=level):
                self.assertEqual(iso2859.code_letter(lot_size, level), letter)

    def test_sampling_plans_normal_single(self):
        """Table 2-A: sample size and Ac/Re, arrows followed to the right row."""
        cases = [
            # lot size, AQL, (sample size, Ac, Re) for level II
            (1000, "0.65", (80, 1, 2)),
            (1000, "1.0", (80, 2, 3)),
            (1000, "2.5", (80, 5, 6)),
            (1000, "4.0", (80, 7, 8)),
            (500, "2.5", (50, 3, 4)),
            (500, "0.65", (80, 1, 2)),  # H at 0.65: arrow down to J
            (10000, "1.0", (200, 5, 6)),
            (10000, "0.10", (125, 0, 1)),  # L at 0.10: arrow up to K
            (150, "1.0", (13, 0, 1)),  # F at 1.0: arrow up to E
            (50, "0.65", (20, 0, 1)),  # D at 0.65: arrow down to F
            (3000, "0.40", (125, 1, 2)),
            (35000, "1.5", (315, 10, 11)),
            (200, "6.5", (32, 5, 6)),
            (200, "1.0", (50, 1, 2)),  # G at 1.0: arrow down to H
        ]
        for lot_size, aql, expected in cases:
            with self.subTest(lot_size=lot_size, aql=aql):
                plan = iso2859.sampling_plan(lot_size, aql, "II")
                self.assertEqual((plan["sample_size"], plan["accept"], plan["reject"]), expected)

    def test_settled_cells_of_table_2a(self):
        """The three cells off the diagonal pattern, checked against the standard."""
        # row A, AQL 10: arrow down to row C's 1/2 plan (n = 5)
        self.assertEqual(iso2859.plan_for_letter("A", "10"), ("C", 5, 1, 2))
        self.assertEqual(iso2859.sampling_plan(5, "10", "II")["sample_size"], 5)
        # row R, AQL 0.010 and 0.015: arrows up to rows Q and P (0/1)
        self.assertEqual(iso2859.plan_for_letter("R", "0.010"), ("Q", 1250, 0, 1))
        self.assertEqual(iso2859.plan_for_letter("R", "0.015"), ("P", 800, 0, 1))

    def test_tightened_and_reduced_plans(self):
        """Tables 2-B and 2-C: same code letter, stricter or smaller plans."""
        cases = [
            # lot size, AQL, severity, (sample size, Ac, Re)
            (1000, "1.0", "normal", (80, 2, 3)),
            (1000, "1.0", "tightened", (80, 1, 2)),
            (1000, "1.0", "reduced", (32, 1, 2)),
            (1000, "0.65", "tightened", (125, 1, 2)),  # J: arrow down to K
            (1000, "0.65", "reduced", (32, 0, 1)),
            (1000, "4.0", "tightened", (80, 5, 6)),
            (1000, "4.0", "reduced", (32, 3, 4)),
            (500, "2.5", "tightened", (50, 2, 3)),
            (500, "2.5", "reduced", (20, 1, 2)),
            (10000, "1.0", "tightened", (200, 3, 4)),
            (10000, "0.10", "tightened", (200, 0, 1)),  # normal: arrow up to K (125)
            (10000, "1.0", "reduced", (80, 2, 3)),
            (150, "1.0", "tightened", (20, 0, 1)),
            (600000, "0.025", "tightened", (3150, 1, 2)),  # row S, only under tightened
            (600000, "0.010", "reduced", (500, 0, 1)),
        ]
        for lot_size, aql, severity, expected in cases:
            with self.subTest(lot_size=lot_size, aql=aql, severity=severity):
                plan = iso2859.sampling_plan(lot_size, aql, "II", severity)
                self.assertEqual((plan["sample_size"], plan["accept"], plan["reject"]), expected)
        with self.assertRaises(iso2859.SamplingError):
            iso2859.plan_for_letter("J", "1.0", "skip-lot")

    def test_every_cell_resolves(self):
        """No arrow of the three tables leads out of the table or to an empty cell."""
        for severity in iso2859.SEVERITIES:
            for letter in iso2859.LETTERS:
                for aql in iso2859.AQLS:
                    plan_letter, size, accept, reject = iso2859.plan_for_letter(
                        letter, aql, severity
                    )
                    self.assertEqual(reject, accept + 1, (severity, letter, aql))
                    self.assertGreaterEqual(size, 2)

    def test_sample_never_exceeds_lot(self):
        plan = iso2859.sampling_plan(3, "0.010", "II")
        # A at 0.010 points down to Q (1250 units): the whole lot is inspected
        self.assertEqual(plan["plan_letter"], "Q")
        self.assertEqual(plan["sample_size"], 3)
        self.assertEqual((plan["accept"], plan["reject"]), (0, 1))

    def test_bad_input(self):
        with self.assertRaises(iso2859.SamplingError):
            iso2859.code_letter(1, "II")
        with self.assertRaises(iso2859.SamplingError):
            iso2859.code_letter(100, "IV")
        with self.assertRaises(iso2859.SamplingError):
            iso2859.sampling_plan(100, "0.3", "II")

    def test_point_sampling_values(self):
        point = self.receipt_point  # ISO 2859-1, level II, AQL 0.65
        values = point._med_sampling_values(1000)
        self.assertEqual(values["sample_size"], 80)
        self.assertEqual(values["code_letter"], "J")
        self.assertEqual((values["accept_number"], values["reject_number"]), (1, 2))
        point.write({"sampling": "percent", "sample_percent": 2.5})
        self.assertEqual(point._med_sampling_values(1000)["sample_size"], 25)
        self.assertEqual(point._med_sampling_values(10)["sample_size"], 1)
        point.write({"sampling": "fixed", "sample_qty": 13})
        self.assertEqual(point._med_sampling_values(1000)["sample_size"], 13)
        self.assertEqual(point._med_sampling_values(4)["sample_size"], 4)
        point.write({"sampling": "all"})
        self.assertEqual(point._med_sampling_values(42)["sample_size"], 42)

    def test_point_constraints(self):
        with (
            self.assertRaisesRegex(ValidationError, "minimum 9.0 is above the maximum 3.0"),
            self.env.cr.savepoint(),
        ):
            self.final_point.write({"norm_min": 9.0, "norm_max": 3.0})
        with self.assertRaisesRegex(ValidationError, "sample percentage"), self.env.cr.savepoint():
            self.receipt_point.write({"sampling": "percent", "sample_percent": 0})
        self.receipt_point.invalidate_recordset()
        self.assertEqual(self.receipt_point.sampling, "iso2859")


@tagged("post_install", "-at_install")
class TestSwitchingRules(MedQualityCommon):
    """ISO 2859-1 clause 9, lot by lot (pure library)."""

    def run_lots(self, state, results, accept_number=1, tighter=None):
        """Apply ``results`` ("A" accepted, "N" not); the reasons of the switches, per lot."""
        reasons = []
        for result in results:
            accepted = result == "A"
            state, reason = iso2859.record_lot(
                state, accepted, accept_number, accepted if tighter is None else tighter
            )
            reasons.append(reason)
        return state, reasons

    def test_normal_to_tightened_two_of_five(self):
        state, reasons = self.run_lots(iso2859.initial_state(), "ANAAN")
        self.assertEqual(reasons, [None, None, None, None, "normal_to_tightened"])
        self.assertEqual(state["severity"], "tightened")
        # two lots not accepted six lots apart: still normal
        state, reasons = self.run_lots(iso2859.initial_state(), "ANAAAAN")
        self.assertEqual(state["severity"], "normal")
        self.assertEqual(reasons, [None] * 7)
        # two in a row
        state, _reasons = self.run_lots(iso2859.initial_state(), "NN")
        self.assertEqual(state["severity"], "tightened")

    def test_tightened_to_normal_five_accepted(self):
        state = dict(iso2859.initial_state(), severity="tightened")
        state, reasons = self.run_lots(state, "AAAANAAAA")
        self.assertEqual(state["severity"], "tightened")
        state, reasons = self.run_lots(state, "A")
        self.assertEqual(reasons, ["tightened_to_normal"])
        self.assertEqual(state, iso2859.initial_state())

    def test_discontinuation(self):
        """5 lots not accepted in the sequence on tightened inspection, accepted ones between."""
        state = dict(iso2859.initial_state(), severity="tightened")
        state, reasons = self.run_lots(state, "NANANANA")
        self.assertEqual((state["severity"], state["tightened_not_accepted"]), ("tightened", 4))
        state, reasons = self.run_lots(state, "N")
        self.assertEqual((state["severity"], reasons), ("discontinued", ["discontinued"]))
        with self.assertRaises(iso2859.SamplingError):
            iso2859.record_lot(state, True)
        state, reason = iso2859.resume(state)
        self.assertEqual((state["severity"], reason), ("tightened", "resumed"))
        self.assertEqual(state["tightened_not_accepted"], 0)

    def test_switching_score(self):
        """9.3.3.2: +2 per accepted lot for Ac 0 or 1; +3 if accepted one AQL step tighter for
        Ac >= 2; any other lot resets the score."""
        self.assertEqual(iso2859.switching_score(10, True, 1, False), 12)
        self.assertEqual(iso2859.switching_score(10, False, 0, False), 0)
        self.assertEqual(iso2859.switching_score(10, True, 2, True), 13)
        # accepted, but not at the tighter AQL: reset
        self.assertEqual(iso2859.switching_score(10, True, 2, False), 0)
        state, _reasons = self.run_lots(iso2859.initial_state(), "A" * 14)
        self.assertEqual(state["score"], 28)
        self.assertFalse(iso2859.can_reduce(state))
        state, _reasons = self.run_lots(state, "A")
        self.assertEqual(state["score"], 30)
        self.assertTrue(iso2859.can_reduce(state))
        state3, _reasons = self.run_lots(iso2859.initial_state(), "A" * 10, accept_number=2)
        self.assertEqual(state3["score"], 30)
        # J at AQL 1.0 (Ac 2): the tighter plan is J at 0.65 (Ac 1)
        self.assertEqual(iso2859.tighter_accept_number("J", "1.0"), 1)
        self.assertIsNone(iso2859.tighter_accept_number("J", "0.010"))

    def test_reduced_and_back(self):
        state, _reasons = self.run_lots(iso2859.initial_state(), "A" * 15)
        state, reason = iso2859.reduce(state)
        self.assertEqual(
            (state["severity"], reason, state["score"]), ("reduced", "normal_to_reduced", 0)
        )
        state, reasons = self.run_lots(state, "AAAN")
        self.assertEqual(reasons, [None, None, None, "reduced_to_normal"])
        self.assertEqual(state, iso2859.initial_state())
        with self.assertRaises(iso2859.SamplingError):
            iso2859.reduce(state)  # the score starts at zero again
        with self.assertRaises(iso2859.SamplingError):
            iso2859.back_to_normal(state)

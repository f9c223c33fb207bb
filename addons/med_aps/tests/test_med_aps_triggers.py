from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import MedApsCommon


@tagged("post_install", "-at_install")
class TestMedApsTriggers(MedApsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mo_1 = cls._create_mo(cls.catheter_a, cls.bom_a, deadline_days=3)
        cls.mo_2 = cls._create_mo(cls.catheter_b, cls.bom_b, deadline_days=4)
        cls.productions = cls.mo_1 | cls.mo_2
        cls.cron = cls.env.ref("med_aps.ir_cron_med_aps_process_runs")

    def _process_with_cron(self):
        with self.enter_registry_test_mode():
            self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def test_button_queues_and_cron_processes(self):
        action = self.productions.with_user(self.planner).action_aps_replan()
        run = self.env["med.aps.run"].browse(action["res_id"])
        self.assertEqual(run.state, "queued")
        self.assertEqual(run.trigger, "button")
        self.assertEqual(run.production_ids, self.productions)
        self.assertEqual(run.user_id, self.planner)
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.assertTrue(triggers, "starting a run wakes up the scheduled action")
        run.time_limit = self.TIME_LIMIT
        self._process_with_cron()
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertEqual(run.progress, 100.0)
        self.assertTrue(all(self.productions.mapped("aps_planned")))

    def test_server_action_on_list(self):
        action_server = self.env.ref("med_aps.action_server_mrp_production_aps_replan")
        self.assertEqual(action_server.binding_model_id.model, "mrp.production")
        result = action_server.with_context(
            active_model="mrp.production",
            active_ids=self.productions.ids,
            active_id=self.productions[0].id,
        ).run()
        run = self.env["med.aps.run"].browse(result["res_id"])
        self.assertEqual(run.trigger, "server_action")
        self.assertEqual(run.production_ids, self.productions)

    def test_wizard(self):
        wizard_form = Form(
            self.env["med.aps.replan.wizard"].with_context(
                active_model="mrp.production", active_ids=self.mo_1.ids
            )
        )
        wizard_form.time_limit = self.TIME_LIMIT
        wizard_form.weight_changeover = 5
        wizard_form.frozen_hours = 0
        wizard = wizard_form.save()
        self.assertEqual(wizard.production_ids, self.mo_1)
        action = wizard.action_replan()
        run = self.env["med.aps.run"].browse(action["res_id"])
        self.assertEqual(
            (run.trigger, run.weight_changeover, run.time_limit), ("wizard", 5, self.TIME_LIMIT)
        )
        self._process_with_cron()
        self.assertEqual(run.state, "done", run.failure_reason)
        self.assertTrue(self.mo_1.aps_planned)
        self.assertFalse(self.mo_2.aps_planned, "out of the wizard's scope")

    def test_nightly_cron(self):
        runs_before = self.env["med.aps.run"].search([])
        self.env["med.aps.run"]._cron_nightly_replan(
            time_limit=self.TIME_LIMIT, frozen_hours=0, company_ids=self.company.ids
        )
        run = self.env["med.aps.run"].search([]) - runs_before
        self.assertEqual(len(run), 1)
        self.assertEqual((run.trigger, run.state), ("cron", "done"), run.failure_reason)
        self.assertTrue(all(self.productions.mapped("aps_planned")))
        nightly = self.env.ref("med_aps.ir_cron_med_aps_nightly_replan")
        self.assertFalse(nightly.active, "the nightly replanning is shipped inactive")

    def test_api_replan_and_read(self):
        result = self.env["med.aps.run"].api_replan(
            scope={"production_ids": self.productions.ids},
            params={"time_limit": self.TIME_LIMIT, "workers": 1},
            wait=True,
        )
        self.assertEqual(result["state"], "done")
        self.assertEqual(result["kpis"]["workorder_count"], 6)
        read = self.env["med.aps.run"].api_read(result["id"])
        self.assertEqual(read["state"], "done")
        self.assertIn(read["solver_status"], ("OPTIMAL", "FEASIBLE"))
        self.assertIs(read["failure_reason"], False)
        queued = self.env["med.aps.run"].api_replan(scope={"production_ids": self.mo_1.ids})
        self.assertEqual(queued["state"], "queued")
        with self.assertRaisesRegex(UserError, "Unknown params key"):
            self.env["med.aps.run"].api_replan(params={"time_limt": 3})
        with self.assertRaisesRegex(UserError, "no record with id"):
            self.env["med.aps.run"].api_replan(scope={"production_ids": [999999999]})
        with self.assertRaisesRegex(UserError, "no plan run with id"):
            self.env["med.aps.run"].api_read(999999999)
        # a long run is never planned inside the request: refused, nothing created
        runs_before = self.env["med.aps.run"].search_count([])
        with self.assertRaisesRegex(
            UserError, r"allowed up to a time limit of 30.0 s; this run asks for 600 s"
        ):
            self.env["med.aps.run"].api_replan(
                scope={"production_ids": self.productions.ids},
                params={"time_limit": 600},
                wait=True,
            )
        self.assertEqual(self.env["med.aps.run"].search_count([]), runs_before)

    def test_second_start_refused_while_running(self):
        running = self.env["med.aps.run"].create({"production_ids": [(6, 0, self.mo_1.ids)]})
        running.write({"state": "running"})
        second = self.env["med.aps.run"].create({"production_ids": [(6, 0, self.mo_2.ids)]})
        with self.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_advisory_lock(%s, %s)", self._company_lock_key())
            try:
                with self.assertRaisesRegex(UserError, "is still running"):
                    second.action_start()
            finally:
                other_cr.execute("SELECT pg_advisory_unlock(%s, %s)", self._company_lock_key())
        self.assertEqual(second.state, "queued")

    def test_run_messages_in_the_planners_language(self):
        """The scheduled action has no language: a run's stored messages are written in
        the language of the planner who started it."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["med_aps"], ["zh_CN"], overwrite=True)
        self.planner.lang = "zh_CN"
        action = self.productions.with_user(self.planner).action_aps_replan()
        run = self.env["med.aps.run"].browse(action["res_id"])
        run.time_limit = self.TIME_LIMIT
        self._process_with_cron()
        self.assertEqual(run.state, "done", run.failure_reason)
        done_in_chinese = self.env(context={"lang": "zh_CN"})._("Done")
        self.assertNotEqual(done_in_chinese, "Done")
        self.assertEqual(run.progress_message, done_in_chinese)

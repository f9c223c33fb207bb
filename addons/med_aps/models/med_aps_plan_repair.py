from datetime import timedelta

from odoo import api, fields, models

# when a repair of the company is already queued or running, look again after this delay
BUSY_RETRY_MINUTES = 1
# a repair whose write met the shop floor's is queued again at once, this many times in a row
CONFLICT_RETRIES = 2


class MedApsPlanRepair(models.AbstractModel):
    """Event-driven plan repair.

    Each event wakes this scheduled action after the company's delay; it answers every
    pending event of the company with one repair run: a replan of the company's open orders
    from the stored plan (kept where it still fits: the stability weight makes each move
    pay), started and locked work fixed at their actual facts (remaining time from the time
    logs), within the company's frozen window, with the company's short time limit. The run
    writes only what changed, and each order it moved says why in its chatter."""

    _name = "med.aps.plan.repair"
    _description = "Plan Repair"

    @api.model
    def _aps_schedule(self, company):
        cron = self.env.ref("med_aps.ir_cron_med_aps_repair_plans")
        delay = max(0, company.aps_repair_delay_minutes)
        cron.sudo()._trigger(fields.Datetime.now() + timedelta(minutes=delay))

    @api.model
    def _cron_repair_plans(self):
        """Queue one repair per company with new events (not yet given to a repair); it
        answers them and the events of the company's failed or cancelled repairs.

        Those events alone queue nothing: a repair that failed on the plant's data would
        fail again, every hour. They wait, with the failed run's reason, for the next event,
        a retry of the run or a planner's replan."""
        Event = self.env["med.aps.plan.event"].sudo()
        new_events = Event.search([("state", "=", "pending"), ("repair_run_id", "=", False)])
        for company in new_events.company_id:
            events = Event.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "pending"),
                    "|",
                    ("repair_run_id", "=", False),
                    ("repair_run_id.state", "in", ("failed", "cancelled")),
                ]
            )
            self._aps_repair_company(company, events)

    @api.model
    def _aps_repair_company(self, company, events):
        """Queue the repair run of ``company`` for ``events``; None while another repair of
        the company is queued or running (this action looks again shortly)."""
        Run = self.env["med.aps.run"].sudo()
        if not company.aps_repair_enabled:
            events.write({"ignored": True})
            return None
        busy = Run.search_count(
            [
                ("company_id", "=", company.id),
                ("trigger", "=", "repair"),
                ("state", "in", ("queued", "running")),
            ],
            limit=1,
        )
        if busy:
            self.env.ref("med_aps.ir_cron_med_aps_repair_plans").sudo()._trigger(
                fields.Datetime.now() + timedelta(minutes=BUSY_RETRY_MINUTES)
            )
            return None
        run = Run.with_company(company).create(self._aps_prepare_run_vals(company))
        events.write({"repair_run_id": run.id})
        run._job_trigger()
        return run

    @api.model
    def _aps_repair_again(self, run):
        """Queue a repair again for the events of ``run``, a repair whose write met an
        operator's click on the same rows: the plant moved while it wrote, and that click
        is often no event of its own (an edit). At most ``CONFLICT_RETRIES`` in a row; then
        its events wait for the next event or a planner, as after any failure. Returns the
        new repair, or None."""
        if run.trigger != "repair" or run.conflict_retries >= CONFLICT_RETRIES:
            return None
        events = run.sudo().repair_event_ids.filtered(lambda event: event.state == "pending")
        if not events:
            return None
        repair = self._aps_repair_company(run.company_id, events)
        if repair:
            repair.conflict_retries = run.conflict_retries + 1
        return repair

    @api.model
    def _aps_prepare_run_vals(self, company):
        Run = self.env["med.aps.run"]
        tardiness_weight = Run.default_get(["weight_tardiness"])["weight_tardiness"]
        return {
            "trigger": "repair",
            "company_id": company.id,
            "time_limit": company.aps_repair_time_limit,
            "frozen_hours": company.aps_repair_frozen_hours,
            # a move costs the company's minutes of lateness of a weight-1 order
            "weight_stability": company.aps_repair_move_cost_minutes * tardiness_weight,
            "workers": 1,
        }

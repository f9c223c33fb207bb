from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

OPEN_PRODUCTION_STATES = ("confirmed", "progress", "to_close")
# work orders in progress, ready to start, or blocked (waiting for a previous step or material)
WIP_STATES = ("progress", "ready", "blocked")
MATERIAL_PROBLEM_STATES = ("late", "unavailable")


class MedApsPanorama(models.AbstractModel):
    """The data of the production panorama: one read for the whole screen.

    Orders by priority and deadline with their lateness and material status (Odoo's own
    component availability), work in progress and load per work center over the next days
    (the bottlenecks), and the latest plan run with its moves. Read with the user's rights
    in the current company.
    """

    _name = "med.aps.panorama"
    _description = "Production Panorama"

    @api.model
    def get_panorama(self, days=7, order_limit=60):
        if not self.env.user.has_group("med_aps.group_aps_user"):
            raise AccessError(
                self.env._(
                    "Only APS users can open the production panorama (user %s is not an APS User).",
                    self.env.user.name,
                )
            )
        days = max(1, min(int(days), 60))
        order_limit = max(1, min(int(order_limit), 500))
        productions = self.env["mrp.production"].search(
            [("company_id", "=", self.env.company.id), ("state", "in", OPEN_PRODUCTION_STATES)],
            order="priority desc, date_deadline asc, id asc",
        )
        return {
            "company": self.env.company.name,
            "company_id": self.env.company.id,
            "days": days,
            "now": fields.Datetime.to_string(fields.Datetime.now()),
            "summary": self._panorama_summary(productions),
            "orders": self._panorama_orders(productions[:order_limit]),
            "workcenters": self._panorama_workcenters(days),
            "last_run": self._panorama_last_run(),
            "health": self._panorama_health(),
        }

    # ------------------------------------------------------------------ parts
    @api.model
    def _panorama_summary(self, productions):
        material = productions.filtered(
            lambda mo: mo.components_availability_state in MATERIAL_PROBLEM_STATES
        )
        return {
            "open": len(productions),
            "late": len(productions.filtered("aps_is_late")),
            "in_progress": len(productions.filtered(lambda mo: mo.state == "progress")),
            "material_problems": len(material),
            "unplanned": len(productions.filtered(lambda mo: not mo.aps_planned_finish)),
        }

    @api.model
    def _panorama_order_vals(self, production):
        workorders = production.workorder_ids
        running = workorders.filtered(lambda wo: wo.state == "progress")
        return {
            "id": production.id,
            "name": production.name,
            "product": production.product_id.display_name,
            "quantity": production.product_qty,
            "uom": production.product_uom_id.name,
            "priority": production.priority == "1",
            "state": production.state,
            "deadline": fields.Datetime.to_string(production.date_deadline),
            "planned_finish": fields.Datetime.to_string(production.aps_planned_finish),
            # worded as the order's list and form word it (empty when on time)
            "late": production.aps_tardiness_display or "",
            "late_reason": production.aps_late_reason_line or "",
            "material_state": production.components_availability_state or "",
            "material": production.components_availability or "",
            "workorders_done": len(workorders.filtered(lambda wo: wo.state == "done")),
            "workorders": len(workorders),
            "running_at": ", ".join(running.workcenter_id.mapped("name")),
        }

    @api.model
    def _panorama_orders(self, productions):
        rows = [self._panorama_order_vals(production) for production in productions]
        # the order's banner (what the latest plan check found for it), read for all at once
        for row, production in zip(rows, productions, strict=True):
            row["problems"] = production.aps_plan_issue_note or ""
        return rows

    @api.model
    def _panorama_workcenters(self, days):
        """Per work center: work orders by state and load over the next ``days``; busiest
        first."""
        company = self.env.company
        counts = {}
        for workcenter, state, count in self.env["mrp.workorder"]._read_group(
            [
                ("production_id.company_id", "=", company.id),
                ("production_id.state", "in", OPEN_PRODUCTION_STATES),
                ("state", "in", WIP_STATES),
            ],
            ["workcenter_id", "state"],
            ["__count"],
        ):
            counts.setdefault(workcenter, {})[state] = count
        today = fields.Date.context_today(self)
        loads = {
            workcenter: (planned, available)
            for workcenter, planned, available in self.env["med.aps.workcenter.load"]._read_group(
                [
                    # a work center shared by the companies (none set) is loaded by each
                    ("company_id", "in", (company.id, False)),
                    ("date", ">=", today),
                    ("date", "<", today + timedelta(days=days)),
                ],
                ["workcenter_id"],
                ["planned_hours:sum", "available_hours:sum"],
            )
        }
        rows = []
        for workcenter in self.env["mrp.workcenter"].search(
            [("company_id", "in", (company.id, False))]
        ):
            states = counts.get(workcenter, {})
            planned, available = loads.get(workcenter, (0.0, 0.0))
            if not states and not planned:
                continue
            rows.append(
                {
                    "id": workcenter.id,
                    "name": workcenter.name,
                    "in_progress": states.get("progress", 0),
                    "ready": states.get("ready", 0),
                    "blocked": states.get("blocked", 0),
                    "planned_hours": round(planned, 1),
                    "available_hours": round(available, 1),
                    "load_percent": round(100.0 * planned / available, 1) if available else None,
                }
            )
        rows.sort(key=lambda row: (-(row["load_percent"] or 0.0), row["name"]))
        return rows

    @api.model
    def _panorama_last_run(self):
        runs = self.env["med.aps.run"].search(
            [("company_id", "=", self.env.company.id)], order="id desc", limit=5
        )
        if not runs:
            return False
        latest = runs[0]
        done = runs.filtered(lambda run: run.state == "done")[:1]
        result = {
            "id": latest.id,
            "name": latest.name,
            "state": latest.state,
            "state_label": dict(latest._fields["state"]._description_selection(self.env))[
                latest.state
            ],
            "progress": latest.progress,
            "progress_message": latest.progress_message or "",
        }
        if done:
            result.update(
                {
                    "done_id": done.id,
                    "done_name": done.name,
                    "date_finished": fields.Datetime.to_string(done.date_finished),
                    "late_count": done.late_count,
                    "weighted_tardiness": done.weighted_tardiness,
                    "moved_note": done.moved_note or "",
                }
            )
        return result

    @api.model
    def _panorama_health(self, limit=12):
        """The latest plan check: when, how many problems of each kind, the first ones."""
        check = self.env["med.aps.plan.check"]._aps_latest(self.env.company)
        if not check:
            return False
        kinds = dict(check.issue_ids._fields["kind"]._description_selection(self.env))
        counts = {}
        for issue in check.issue_ids:
            counts[issue.kind] = counts.get(issue.kind, 0) + 1
        return {
            "date": fields.Datetime.to_string(check.date),
            "count": check.issue_count,
            "kinds": [
                {"kind": kind, "label": kinds[kind], "count": count}
                for kind, count in sorted(counts.items(), key=lambda item: -item[1])
            ],
            "issues": [
                {
                    "id": issue.id,
                    "message": issue.message,
                    "severity": issue.severity,
                    "production_id": issue.production_id.id,
                    "workorder_id": issue.workorder_id.id,
                }
                for issue in check.issue_ids[:limit]
            ],
        }

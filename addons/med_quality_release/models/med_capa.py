from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

CAUSE_CATEGORIES = [
    ("man", "People"),
    ("machine", "Machine / Equipment"),
    ("method", "Method / Procedure"),
    ("material", "Material / Supplier"),
    ("measurement", "Measurement"),
    ("environment", "Environment"),
    ("design", "Design"),
]
CAPA_STATES = [
    ("open", "Problem & Containment"),
    ("analysis", "Root Cause"),
    ("action", "Actions"),
    ("verification", "Effectiveness Check"),
    ("closed", "Closed"),
]


class MedCapa(models.Model):
    """Corrective and preventive action (ISO 13485 8.5.2/8.5.3, 21 CFR 820.100).

    Problem and containment, root cause (5 whys or cause categories), actions
    with owners and due dates (activities), a check of effectiveness after a
    set period, and closure by a QA Manager's electronic signature only.
    """

    _name = "med.capa"
    _description = "CAPA"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    title = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        CAPA_STATES, default="open", required=True, readonly=True, tracking=True, index=True
    )
    capa_type = fields.Selection(
        [("corrective", "Corrective"), ("preventive", "Preventive")],
        string="Type",
        required=True,
        default="corrective",
        tracking=True,
    )
    owner_id = fields.Many2one("res.users", default=lambda self: self.env.user, tracking=True)
    product_id = fields.Many2one("product.product", index=True, tracking=True)
    lot_id = fields.Many2one("stock.lot", check_company=True, tracking=True)
    nonconformance_ids = fields.Many2many(
        "med.quality.nonconformance",
        "med_capa_nonconformance_rel",
        "capa_id",
        "nonconformance_id",
        string="Nonconformances",
        check_company=True,
    )
    spc_alert_ids = fields.Many2many(
        "med.spc.alert",
        "med_capa_spc_alert_rel",
        "capa_id",
        "alert_id",
        string="SPC Alerts",
        check_company=True,
    )
    recall_ids = fields.Many2many(
        "med.recall", "med_capa_recall_rel", "capa_id", "recall_id", string="Recalls"
    )
    problem = fields.Text(string="Problem Statement", required=True)
    containment = fields.Text(string="Containment Actions")
    root_cause_method = fields.Selection(
        [("five_whys", "5 Whys"), ("categories", "Cause Categories")],
        default="five_whys",
        required=True,
    )
    why_1 = fields.Char()
    why_2 = fields.Char()
    why_3 = fields.Char()
    why_4 = fields.Char()
    why_5 = fields.Char()
    cause_category = fields.Selection(
        CAUSE_CATEGORIES,
        tracking=True,
        index=True,
        help="Category of the root cause; the recurrence KPI counts CAPAs with the same "
        "category on the same product.",
    )
    root_cause = fields.Text()
    action_ids = fields.One2many("med.capa.action", "capa_id", string="Actions")
    action_count = fields.Integer(compute="_compute_action_stats")
    action_open_count = fields.Integer(string="Open Actions", compute="_compute_action_stats")
    effectiveness_days = fields.Integer(
        string="Effectiveness Period (days)",
        default=90,
        help="Days after the actions are completed before their effectiveness is verified.",
    )
    verification_due_date = fields.Date(readonly=True, copy=False, tracking=True)
    effectiveness_result = fields.Selection(
        [("effective", "Effective"), ("not_effective", "Not Effective")],
        tracking=True,
        copy=False,
    )
    effectiveness_note = fields.Text(string="Effectiveness Evidence", copy=False)
    date_open = fields.Datetime(string="Opened on", readonly=True, default=fields.Datetime.now)
    date_closed = fields.Datetime(string="Closed on", readonly=True, copy=False)
    closing_signature_id = fields.Many2one("med.signature", readonly=True, copy=False)
    recurrence_count = fields.Integer(
        string="Earlier CAPAs, Same Cause",
        compute="_compute_recurrence_count",
        help="Earlier CAPAs of this company with the same cause category on the same product.",
    )

    # set by the workflow and the closing signature only
    _SYSTEM_FIELDS = frozenset(
        {
            "name",
            "state",
            "verification_due_date",
            "date_open",
            "date_closed",
            "closing_signature_id",
        }
    )

    @api.depends("action_ids.state")
    def _compute_action_stats(self):
        for capa in self:
            capa.action_count = len(capa.action_ids)
            capa.action_open_count = len(capa.action_ids.filtered(lambda a: a.state != "done"))

    @api.depends("cause_category", "product_id", "date_open")
    def _compute_recurrence_count(self):
        for capa in self:
            if not capa.cause_category or not capa.id:
                capa.recurrence_count = 0
                continue
            capa.recurrence_count = self.search_count(
                [
                    ("id", "<", capa.id),
                    ("company_id", "=", capa.company_id.id),
                    ("cause_category", "=", capa.cause_category),
                    ("product_id", "=", capa.product_id.id),
                ]
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su:
                forged = sorted(
                    name
                    for name in self._SYSTEM_FIELDS - {"name", "date_open"}
                    if vals.get(name) and not (name == "state" and vals[name] == "open")
                )
                if forged:
                    raise UserError(
                        self.env._(
                            "A CAPA is created open: %(fields)s cannot be set by hand.",
                            fields=", ".join(
                                self._fields[name]._description_string(self.env) for name in forged
                            ),
                        )
                    )
                # explicit values: no ``default_*`` context key sets them either
                vals.update(
                    state="open",
                    date_open=fields.Datetime.now(),
                    verification_due_date=False,
                    date_closed=False,
                    closing_signature_id=False,
                )
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.capa") or "/"
        return super().create(vals_list)

    def write(self, vals):
        changed = {name for name in vals if not name.startswith(("message_", "activity_"))}
        closed = self.filtered(lambda capa: capa.state == "closed")
        if closed and changed:
            raise UserError(
                self.env._(
                    "CAPA %(capas)s is closed and signed: it can no longer be changed.",
                    capas=", ".join(closed.mapped("name")),
                )
            )
        if not self.env.su and changed & self._SYSTEM_FIELDS:
            raise UserError(
                self.env._(
                    "CAPA %(capas)s: %(fields)s cannot be written by hand; the CAPA moves by "
                    "its buttons and is closed only by the electronic signature of a QA "
                    "Manager.",
                    capas=", ".join(self.mapped("name")),
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in sorted(changed & self._SYSTEM_FIELDS)
                    ),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_signed(self):
        if self.filtered(lambda capa: capa.state == "closed" or capa.closing_signature_id):
            raise UserError(self.env._("A closed CAPA cannot be deleted."))

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------

    def action_start_analysis(self):
        self._med_check_state("open")
        for capa in self:
            if not (capa.containment or "").strip():
                raise UserError(
                    self.env._(
                        "CAPA %(capa)s: describe the containment (or why none is needed) "
                        "before the root cause analysis.",
                        capa=capa.name,
                    )
                )
        self.sudo().write({"state": "analysis"})
        return True

    def action_start_actions(self):
        self._med_check_state("analysis")
        for capa in self:
            missing = capa._med_root_cause_missing()
            if missing:
                raise UserError(
                    self.env._(
                        "CAPA %(capa)s: the root cause is not complete: %(missing)s.",
                        capa=capa.name,
                        missing=missing,
                    )
                )
        self.sudo().write({"state": "action"})
        return True

    def action_start_verification(self):
        """All actions done: the effectiveness check is due after the set period."""
        self._med_check_state("action")
        for capa in self:
            if not capa.action_ids:
                raise UserError(
                    self.env._("CAPA %(capa)s has no action to verify.", capa=capa.name)
                )
            open_actions = capa.action_ids.filtered(lambda a: a.state != "done")
            if open_actions:
                raise UserError(
                    self.env._(
                        "CAPA %(capa)s: actions still open: %(actions)s.",
                        capa=capa.name,
                        actions=", ".join(open_actions.mapped("name")),
                    )
                )
            if capa.effectiveness_days < 0:
                raise UserError(
                    self.env._(
                        "CAPA %(capa)s: the effectiveness period cannot be negative.",
                        capa=capa.name,
                    )
                )
            due = fields.Date.context_today(capa) + timedelta(days=capa.effectiveness_days)
            capa.sudo().write(
                {
                    "state": "verification",
                    "verification_due_date": due,
                    "effectiveness_result": False,
                }
            )
            capa.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=due,
                summary=self.env._("Verify the effectiveness of CAPA %(capa)s", capa=capa.name),
                user_id=(capa.owner_id or self.env.user).id,
            )
        return True

    def action_reopen_actions(self):
        """Not effective: back to the actions (new or revised ones)."""
        self._med_check_state("verification")
        for capa in self:
            if capa.effectiveness_result != "not_effective":
                raise UserError(
                    self.env._(
                        "CAPA %(capa)s: record the effectiveness as not effective (with the "
                        "evidence) before going back to the actions.",
                        capa=capa.name,
                    )
                )
        self.sudo().write({"state": "action", "verification_due_date": False})
        return True

    def action_close(self):
        self.ensure_one()
        return self.env["med.signature.wizard"]._med_open(self, "close_capa")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _med_action_for(self, capas, defaults):
        """The CAPAs of a source record, or a new CAPA prefilled from it."""
        if capas:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "med_quality_release.action_med_capa"
            )
            action.update(domain=[("id", "in", capas.ids)], context={})
            if len(capas) == 1:
                action.update(view_mode="form", views=[(False, "form")], res_id=capas.id)
            return action
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New CAPA"),
            "res_model": "med.capa",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {f"default_{name}": value for name, value in defaults.items()},
        }

    def _med_check_state(self, state):
        if not self.env.user.has_group("med_quality_release.group_qa_inspector"):
            raise AccessError(self.env._("Only a QA Inspector can move a CAPA to its next step."))
        wrong = self.filtered(lambda capa: capa.state != state)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "CAPA %(capas)s is not in the step '%(state)s'.",
                    capas=", ".join(wrong.mapped("name")),
                    state=states[state],
                )
            )

    def _med_root_cause_missing(self):
        self.ensure_one()
        missing = []
        if self.root_cause_method == "five_whys" and not (self.why_1 and self.why_2):
            missing.append(self.env._("at least two whys"))
        if not self.cause_category:
            missing.append(self.env._("a cause category"))
        if not (self.root_cause or "").strip():
            missing.append(self.env._("the root cause statement"))
        return ", ".join(missing)

    # ------------------------------------------------------------------
    # Electronic signature protocol (see med.signature.wizard)
    # ------------------------------------------------------------------

    def _med_check_can_sign(self, action):
        self.ensure_one()
        if action != "close_capa":
            raise UserError(
                self.env._("CAPA %(capa)s can only be signed for its closure.", capa=self.name)
            )
        if self.state != "verification":
            raise UserError(
                self.env._(
                    "CAPA %(capa)s can be closed only after its effectiveness check.",
                    capa=self.name,
                )
            )
        if self.effectiveness_result != "effective" or not (self.effectiveness_note or "").strip():
            raise UserError(
                self.env._(
                    "CAPA %(capa)s cannot be closed: the actions must be verified effective, "
                    "with the evidence.",
                    capa=self.name,
                )
            )
        if self.verification_due_date and self.verification_due_date > fields.Date.context_today(
            self
        ):
            raise UserError(
                self.env._(
                    "CAPA %(capa)s cannot be closed before its effectiveness check is due "
                    "(%(date)s).",
                    capa=self.name,
                    date=self.verification_due_date,
                )
            )

    def _med_signed_content(self):
        self.ensure_one()
        return {
            "model": self._name,
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "problem": self.problem,
            "containment": self.containment or None,
            "whys": [w for w in (self.why_1, self.why_2, self.why_3, self.why_4, self.why_5) if w],
            "cause_category": self.cause_category,
            "root_cause": self.root_cause,
            "actions": [
                {
                    "action": action.name,
                    "owner": action.owner_id.name,
                    "due": action.date_deadline,
                    "done": action.date_done,
                }
                for action in self.action_ids
            ],
            "nonconformances": self.nonconformance_ids.mapped("name"),
            "spc_alerts": self.spc_alert_ids.mapped("name"),
            "recalls": self.recall_ids.mapped("display_name"),
            "effectiveness": self.effectiveness_result,
            "effectiveness_note": self.effectiveness_note,
            "verification_due_date": self.verification_due_date,
        }

    def _med_apply_signature(self, action, signature):
        self.ensure_one()
        if (
            action != "close_capa"
            or signature.res_model != self._name
            or signature.res_id != self.id
            or signature.meaning != "closed"
        ):
            raise UserError(
                self.env._(
                    "CAPA %(capa)s: the signature %(signature)s does not sign its closure.",
                    capa=self.name,
                    signature=signature.display_name,
                )
            )
        self.sudo().write(
            {
                "state": "closed",
                "date_closed": signature.signed_at,
                "closing_signature_id": signature.id,
            }
        )
        self.activity_unlink(["mail.mail_activity_data_todo"])
        self.message_post(body=signature._med_summary())

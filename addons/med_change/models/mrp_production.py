from odoo import api, fields, models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    med_bom_version = fields.Integer(
        string="BoM Version",
        compute="_compute_med_versions",
        store=True,
        help="Version of the bill of materials this order is made with (device history record).",
    )
    med_routing_version = fields.Integer(
        string="Routing Version",
        compute="_compute_med_versions",
        store=True,
        help="Version of the operations of the bill of materials this order is made with.",
    )
    med_change_request_id = fields.Many2one(
        "med.change.request",
        string="Switched by Change",
        readonly=True,
        copy=False,
        help="The change request that switched this order to its bill of materials.",
    )

    # the version of the BoM the order has, fixed when the order gets it: a BoM
    # record never changes version (a new version is a new record)
    @api.depends("bom_id")
    def _compute_med_versions(self):
        for production in self:
            production.med_bom_version = production.bom_id.med_version
            production.med_routing_version = production.bom_id.med_routing_version

    def _med_is_started(self):
        """Whether work has begun: a work order started or done, time logged, a quantity
        being produced or a component picked for consumption."""
        self.ensure_one()
        return bool(
            self.state not in ("draft", "confirmed")
            or self.qty_producing
            or self.workorder_ids.filtered(lambda wo: wo.state in ("progress", "done"))
            or self.workorder_ids.time_ids
            or self.move_raw_ids.filtered(lambda move: move.picked or move.state == "done")
        )

    def _med_switch_bom(self, bom, request):
        """Move orders not started to ``bom``, the way Odoo's Update BoM does (components,
        by-products and work orders follow the new version), and confirm what it adds."""
        for production in self:
            old = production.bom_id
            production._link_bom(bom)
            if production.state != "draft":
                production._autoconfirm_production()
            production.write({"med_change_request_id": request.id, "is_outdated_bom": False})
            production.message_post(
                body=self.env._(
                    "Change request %(request)s: switched from %(old)s (%(old_version)s) to "
                    "%(new)s (%(new_version)s).",
                    request=request.display_name,
                    old=old.display_name,
                    old_version=old.med_version_label,
                    new=bom.display_name,
                    new_version=bom.med_version_label,
                )
            )
        self._med_after_bom_switch(request)

    def _med_after_bom_switch(self, request):
        """Hook: these orders were switched to a new BoM version by ``request``."""
        return True

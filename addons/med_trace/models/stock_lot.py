from odoo import api, fields, models
from odoo.exceptions import UserError


class StockLot(models.Model):
    """Lots as a regulated record: key fields tracked in the chatter, fields that only the
    internal paths (holds, Device History Record, signed release) may write.

    The traceability concerns extend ``stock.lot`` each in a file of their own:
    ``stock_lot_genealogy`` (trace), ``stock_lot_hold`` (holds), ``stock_lot_usage`` (what
    blocks reservation, consumption, delivery), ``stock_lot_dhr`` and ``stock_lot_udi``."""

    _inherit = "stock.lot"

    # Tracked key fields (the chatter is the audit trail of a lot)
    name = fields.Char(tracking=True)
    ref = fields.Char(tracking=True)
    expiration_date = fields.Datetime(tracking=True)

    # ------------------------------------------------------------------
    # Protected fields: written only by the internal (superuser) paths
    # ------------------------------------------------------------------
    @api.model
    def _med_protected_fields(self):
        """Fields that only the internal paths (hold, DHR, signed release) may write.

        Those paths write with ``sudo()``; an RPC caller can never be superuser,
        so a plain ``create``/``write`` setting one of these fields is refused.
        Extended by the files that own such fields and by ``med_quality_release``.
        """
        return set()

    @api.model
    def _med_derived_fields(self):
        """Stored fields computed from other records: nobody writes them, not even sudo."""
        return set()

    def _med_check_protected_write(self, vals):
        lots = ", ".join(self.mapped("display_name")) or vals.get("name") or ""
        derived = sorted(self._med_derived_fields() & set(vals))
        if derived:
            raise UserError(
                self.env._(
                    "Lot %(lots)s: %(fields)s cannot be written, it is derived from the holds "
                    "and the signed release decision of the lot.",
                    lots=lots,
                    fields=self._med_field_labels(derived),
                )
            )
        protected = sorted(self._med_protected_fields() & set(vals))
        if protected and not self.env.su:
            raise UserError(
                self.env._(
                    "Lot %(lots)s: %(fields)s cannot be written directly, only through the "
                    "signed release and reject, the quarantine, the holds and the Device "
                    "History Record actions.",
                    lots=lots,
                    fields=self._med_field_labels(protected),
                )
            )

    def _med_field_labels(self, names):
        return ", ".join(self._fields[name]._description_string(self.env) for name in names)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # an empty value is what a new lot has anyway
            self.browse()._med_check_protected_write({k: v for k, v in vals.items() if v})
        # a ``default_<field>`` context key (passed over RPC) must not set them either
        guarded = self._med_protected_fields() | self._med_derived_fields()
        context = {
            key: value
            for key, value in self.env.context.items()
            if not (key.startswith("default_") and key[len("default_") :] in guarded)
        }
        return super(StockLot, self.with_env(self.env(context=context))).create(vals_list)

    def write(self, vals):
        self._med_check_protected_write(vals)
        return super().write(vals)

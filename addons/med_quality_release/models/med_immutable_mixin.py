from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.med_trace.tools.immutable_sql import reject_changes_in_database


class MedImmutableMixin(models.AbstractModel):
    """Records that are written once and never changed.

    Used for electronic signatures, failed signature attempts and the release
    audit trail (21 CFR Part 11 §11.10(e), §11.70). ``write`` and ``unlink``
    raise for every user, superuser included, and a PostgreSQL trigger rejects
    UPDATE, DELETE and TRUNCATE on the table, so raw SQL cannot alter them
    either.

    A superuser can still disable the trigger: models that set ``_med_chain``
    are sealed at creation in that hash chain (``med.trail.chain``), whose
    verification reports any record changed or deleted afterwards. No context
    key or mode (install, upgrade, superuser) opens a way to change a record:
    nothing here reads the context.
    """

    _name = "med.immutable.mixin"
    _description = "Immutable Record (write once)"

    # name of the hash chain the records are sealed in (None: not chained)
    _med_chain = None

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if self._med_chain:
            self.env["med.trail.chain"].sudo()._med_append(records)
        return records

    def init(self):
        super().init()
        if self._abstract:
            return
        reject_changes_in_database(
            self.env.cr, self._table, "med_quality_reject_change", "med_quality_release"
        )

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "%(model)s records are immutable: %(records)s cannot be changed.",
                model=self._description,
                records=", ".join(self.mapped("display_name")),
            )
        )

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "%(model)s records are immutable: %(records)s cannot be deleted.",
                model=self._description,
                records=", ".join(self.mapped("display_name")),
            )
        )

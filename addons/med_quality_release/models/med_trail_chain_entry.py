from odoo import fields, models


class MedTrailChainEntry(models.Model):
    """One link of a hash chain over the audit-trail records (21 CFR 11.10(c), (e)).

    ``entry_hash = sha256(prev_hash + canonical JSON of the sealed record)``: a
    record changed or deleted behind Odoo's back, even with the immutability
    trigger disabled and its own hash rewritten, no longer matches its entry,
    and rewriting the entry breaks the link of the next one. The entries are
    kept apart from the sealed records so that sealing never updates them.
    Written only by :meth:`med.trail.chain._med_append`; immutable like the
    records they seal.
    """

    _name = "med.trail.chain.entry"
    _description = "Audit Trail Hash Chain Entry"
    _inherit = ["med.immutable.mixin"]
    _order = "chain, seq"
    _rec_name = "entry_hash"

    chain = fields.Char(required=True, readonly=True, index=True)
    seq = fields.Integer(string="Position", required=True, readonly=True)
    res_model = fields.Char(string="Sealed Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Sealed Record", model_field="res_model", required=True, readonly=True
    )
    prev_hash = fields.Char(string="Previous Entry Hash", required=True, readonly=True)
    entry_hash = fields.Char(required=True, readonly=True)

    _chain_seq_unique = models.Constraint(
        "UNIQUE(chain, seq)", "Two entries cannot take the same position in a hash chain."
    )
    _chain_record_unique = models.Constraint(
        "UNIQUE(chain, res_model, res_id)", "A record is sealed only once in a hash chain."
    )

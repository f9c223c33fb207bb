"""19.0.1.1.0: seal the signatures, release audit trail entries and failed
attempts written before the hash chains existed, in id order, so that the
verification starts from a complete chain."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["med.trail.chain"]._med_seal_unchained()

"""19.0.1.4.0: the ISO 2859-1 switching history joins the audit trail's hash chain; seal
the switches written before, in id order, so that the verification finds them sealed."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["med.trail.chain"]._med_seal_unchained()

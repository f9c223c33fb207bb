import hashlib

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .med_signature import canonical_json

GENESIS_HASH = "0" * 64
VERIFY_BATCH = 1000


def chain_entry_hash(prev_hash, chain, seq, model, res_id, content):
    """``sha256(prev_hash + canonical JSON of the entry)``: the formula the
    verification recomputes; ``content`` is the sealed row (see ``_med_read_contents``)."""
    payload = canonical_json(
        {"chain": chain, "seq": seq, "model": model, "id": res_id, "content": content}
    )
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


class MedTrailChain(models.Model):
    """Head of a hash chain: position and hash of its last entry.

    Appending locks the head row (``SELECT ... FOR UPDATE``) and updates it,
    so concurrent signers are serialized: under Odoo's REPEATABLE READ
    isolation the second one gets a serialization failure and its request is
    retried by Odoo, it never links to a stale last entry (no fork). The head
    also lets the verification notice entries removed at the end of a chain.
    Only the server writes it (no access rights for any group).
    """

    _name = "med.trail.chain"
    _description = "Audit Trail Hash Chain"
    _log_access = False
    _order = "name"

    name = fields.Char(string="Chain", required=True, readonly=True)
    seq = fields.Integer(string="Entries", readonly=True)
    last_hash = fields.Char(string="Last Entry Hash", readonly=True)

    _name_unique = models.Constraint("UNIQUE(name)", "A hash chain exists only once.")

    def init(self):
        res = super().init()
        for chain in self._med_chain_names():
            self.env.cr.execute(
                SQL(
                    "INSERT INTO med_trail_chain (name, seq, last_hash) VALUES (%s, 0, %s) "
                    "ON CONFLICT (name) DO NOTHING",
                    chain,
                    GENESIS_HASH,
                )
            )
        return res

    # ------------------------------------------------------------------
    # Chains and their models
    # ------------------------------------------------------------------

    @api.model
    def _med_chain_models(self, chain=None):
        """Models sealed in ``chain`` (all chained models when ``chain`` is None)."""
        return [
            model
            for model in self.env.registry.values()
            if not model._abstract
            and getattr(model, "_med_chain", None)
            and (chain is None or model._med_chain == chain)
        ]

    @api.model
    def _med_chain_names(self):
        return sorted({model._med_chain for model in self._med_chain_models()})

    @api.model
    def _med_read_contents(self, model_name, ids):
        """Sealed content of rows ``ids`` of ``model_name``, read from the database.

        Every column that is not NULL (so a nullable column added later does
        not change the content of older rows), values as PostgreSQL returns
        them, canonicalized by :func:`canonical_json`.
        """
        table = self.env[model_name]._table
        self.env.cr.execute(
            SQL("SELECT * FROM %s WHERE id = ANY(%s)", SQL.identifier(table), list(ids))
        )
        return {
            row["id"]: {key: value for key, value in row.items() if value is not None}
            for row in self.env.cr.dictfetchall()
        }

    # ------------------------------------------------------------------
    # Append
    # ------------------------------------------------------------------

    @api.model
    def _med_lock_head(self, chain):
        """Lock the head of ``chain`` until the end of the transaction."""
        cr = self.env.cr
        query = SQL(
            "SELECT id, seq, last_hash FROM med_trail_chain WHERE name = %s FOR UPDATE", chain
        )
        cr.execute(query)
        row = cr.fetchone()
        if not row:
            cr.execute(
                SQL(
                    "INSERT INTO med_trail_chain (name, seq, last_hash) VALUES (%s, 0, %s) "
                    "ON CONFLICT (name) DO NOTHING",
                    chain,
                    GENESIS_HASH,
                )
            )
            cr.execute(query)
            row = cr.fetchone()
        return row

    @api.model
    def _med_append(self, records):
        """Seal ``records`` (just created) at the end of their model's chain."""
        if not records:
            return
        chain = records._med_chain
        records.flush_recordset()
        head_id, seq, prev_hash = self._med_lock_head(chain)
        contents = self._med_read_contents(records._name, records.ids)
        entries = []
        for record_id in sorted(records.ids):
            seq += 1
            entry_hash = chain_entry_hash(
                prev_hash, chain, seq, records._name, record_id, contents[record_id]
            )
            entries.append(
                {
                    "chain": chain,
                    "seq": seq,
                    "res_model": records._name,
                    "res_id": record_id,
                    "prev_hash": prev_hash,
                    "entry_hash": entry_hash,
                }
            )
            prev_hash = entry_hash
        self.env["med.trail.chain.entry"].sudo().create(entries)
        self.env.cr.execute(
            SQL(
                "UPDATE med_trail_chain SET seq = %s, last_hash = %s WHERE id = %s",
                seq,
                prev_hash,
                head_id,
            )
        )
        self.invalidate_model(["seq", "last_hash"])

    @api.model
    def _med_seal_unchained(self):
        """Seal the rows written before the chains existed (upgrade from 19.0.1.0.0),
        in id order. Run once by the migration script, never on a live database:
        rows inserted behind Odoo's back are reported by the verification instead."""
        for model in self._med_chain_models():
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM %s t WHERE NOT EXISTS (SELECT 1 FROM med_trail_chain_entry e "
                    "WHERE e.chain = %s AND e.res_model = %s AND e.res_id = t.id) ORDER BY id",
                    SQL.identifier(model._table),
                    model._med_chain,
                    model._name,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if ids:
                self._med_append(self.env[model._name].browse(ids))

    # ------------------------------------------------------------------
    # Verification
    # ------------------------------------------------------------------

    @api.model
    def _med_verify(self):
        """Recompute every chain; return one result per chain (first break or None).

        Runs as superuser from the CLI command ``med_audit_verify`` and from the
        QA Manager's verification action (which checks the group first).
        """
        self.env.flush_all()
        return [self._med_verify_chain(chain) for chain in self._med_chain_names()]

    @api.model
    def _med_break(self, chain, seq, model, res_id, problem, expected, found):
        record_name = f"{model},{res_id}"
        if model in self.env:
            record = self.env[model].sudo().browse(res_id).exists()
            if record:
                record_name = f"{record.display_name} ({model},{res_id})"
        return {
            "chain": chain,
            "seq": seq,
            "model": model,
            "res_id": res_id,
            "record": record_name,
            "problem": problem,
            "expected": expected,
            "found": found,
        }

    @api.model
    def _med_verify_chain(self, chain):
        cr = self.env.cr
        _ = self.env._
        cr.execute(SQL("SELECT seq, last_hash FROM med_trail_chain WHERE name = %s", chain))
        head_seq, head_hash = cr.fetchone() or (0, GENESIS_HASH)
        result = {
            "chain": chain,
            "entries": 0,
            "head_seq": head_seq,
            "head_hash": head_hash,
            "break": None,
        }
        cr.execute(
            SQL(
                "SELECT seq, res_model, res_id, prev_hash, entry_hash FROM med_trail_chain_entry "
                "WHERE chain = %s ORDER BY seq",
                chain,
            )
        )
        all_entries = cr.fetchall()
        prev_hash, expected_seq = GENESIS_HASH, 1
        for start in range(0, len(all_entries), VERIFY_BATCH):
            batch = all_entries[start : start + VERIFY_BATCH]
            contents = {}
            for model in {entry[1] for entry in batch}:
                if model in self.env:
                    ids = [entry[2] for entry in batch if entry[1] == model]
                    for res_id, content in self._med_read_contents(model, ids).items():
                        contents[model, res_id] = content
            for seq, model, res_id, stored_prev, entry_hash in batch:
                problem = None
                if seq != expected_seq:
                    problem = (
                        _("entries are missing before this one (deleted)"),
                        str(expected_seq),
                        str(seq),
                    )
                elif stored_prev != prev_hash:
                    problem = (
                        _("the link to the previous entry is broken (entry rewritten)"),
                        prev_hash,
                        stored_prev,
                    )
                elif (model, res_id) not in contents:
                    problem = (_("the sealed record was deleted"), entry_hash, "")
                else:
                    recomputed = chain_entry_hash(
                        prev_hash, chain, seq, model, res_id, contents[model, res_id]
                    )
                    if recomputed != entry_hash:
                        problem = (
                            _("the sealed record was changed after it was written"),
                            entry_hash,
                            recomputed,
                        )
                if problem:
                    result["break"] = self._med_break(chain, seq, model, res_id, *problem)
                    return result
                prev_hash, expected_seq = entry_hash, expected_seq + 1
                result["entries"] += 1
        if (head_seq, head_hash) != (result["entries"], prev_hash):
            result["break"] = self._med_break(
                chain,
                head_seq,
                "med.trail.chain",
                0,
                _("the chain is shorter than its head records (last entries deleted)"),
                f"{head_seq}:{head_hash}",
                f"{result['entries']}:{prev_hash}",
            )
            return result
        for model in self._med_chain_models(chain):
            cr.execute(
                SQL(
                    "SELECT min(id) FROM %s t WHERE NOT EXISTS "
                    "(SELECT 1 FROM med_trail_chain_entry e WHERE e.chain = %s "
                    "AND e.res_model = %s AND e.res_id = t.id)",
                    SQL.identifier(model._table),
                    chain,
                    model._name,
                )
            )
            unsealed = cr.fetchone()[0]
            if unsealed:
                result["break"] = self._med_break(
                    chain,
                    0,
                    model._name,
                    unsealed,
                    _("the record is not sealed in the chain (inserted outside Odoo)"),
                    _("a chain entry"),
                    _("none"),
                )
                return result
        return result

    @api.model
    def _med_check_anchor(self, chain, seq, entry_hash):
        """Compare a recorded ``(chain, position, entry hash)`` with the chain, e.g. the
        last entry hash printed by an earlier verification and kept outside the database.
        Return ``(matches, one-line report)``."""
        self.env.cr.execute(
            SQL(
                "SELECT entry_hash FROM med_trail_chain_entry WHERE chain = %s AND seq = %s",
                chain,
                seq,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return False, self.env._(
                "Chain %(chain)s: entry %(seq)s recorded earlier no longer exists.",
                chain=chain,
                seq=seq,
            )
        if row[0] != entry_hash:
            return False, self.env._(
                "Chain %(chain)s: entry %(seq)s was recorded with hash %(expected)s, "
                "it now has %(found)s.",
                chain=chain,
                seq=seq,
                expected=entry_hash,
                found=row[0],
            )
        return True, self.env._(
            "Chain %(chain)s: entry %(seq)s still has the recorded hash.", chain=chain, seq=seq
        )

    @api.model
    def _med_format_report(self, results):
        """Plain-text report of :meth:`_med_verify`, one line per chain."""
        _ = self.env._
        lines = []
        for result in results:
            failure = result["break"]
            if not failure:
                lines.append(
                    _(
                        "Chain %(chain)s: intact, %(count)s entries, last entry hash %(hash)s.",
                        chain=result["chain"],
                        count=result["entries"],
                        hash=result["head_hash"],
                    )
                )
            else:
                lines.append(
                    _(
                        "Chain %(chain)s: BROKEN at entry %(seq)s, record %(record)s: "
                        "%(problem)s. Expected %(expected)s, found %(found)s. "
                        "%(count)s entries before it are intact.",
                        chain=result["chain"],
                        seq=failure["seq"],
                        record=failure["record"],
                        problem=failure["problem"],
                        expected=failure["expected"],
                        found=failure["found"] or "-",
                        count=result["entries"],
                    )
                )
        return "\n".join(lines)

    @api.model
    def action_med_verify(self):
        """Verify every chain and open the result (QA Managers)."""
        if not self.env.user.has_group("med_quality_release.group_qa_manager"):
            raise AccessError(
                self.env._("Only a QA Manager can verify the audit trail hash chains.")
            )
        results = self.sudo()._med_verify()
        failure = next((result["break"] for result in results if result["break"]), None)
        verification = (
            self.env["med.trail.chain.verification"]
            .sudo()
            .create(
                {
                    "intact": not failure,
                    "entry_count": sum(result["entries"] for result in results),
                    "report": self.sudo()._med_format_report(results),
                    "break_chain": failure and failure["chain"],
                    "break_seq": failure and failure["seq"],
                    "break_record": failure and failure["record"],
                    "break_problem": failure and failure["problem"],
                    "expected_hash": failure and failure["expected"],
                    "found_hash": failure and failure["found"],
                }
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Audit Trail Verification"),
            "res_model": "med.trail.chain.verification",
            "res_id": verification.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

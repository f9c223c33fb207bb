"""Hash chain over signatures, the release audit trail and failed attempts.

The attacker here is a database superuser: the immutability trigger is
disabled through SQL, a record is rewritten consistently (its own content hash
included) and the verification must still report the break at that record.
"""

import hashlib
import json

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.med_signature import canonical_json
from ..models.med_trail_chain import GENESIS_HASH
from .common import MedQualityCommon


@tagged("post_install", "-at_install")
class TestAuditChain(MedQualityCommon):
    def setUp(self):
        super().setUp()
        _receipt, self.pouch = self.receive(self.component, "POUCH-CHAIN", 30)
        self.record_pass(self.pouch.med_check_ids)
        self.Chain = self.env["med.trail.chain"]
        self.Entry = self.env["med.trail.chain.entry"]

    def verify(self, chain="audit_trail"):
        return next(result for result in self.Chain._med_verify() if result["chain"] == chain)

    def entry_of(self, record):
        return self.Entry.search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def tamper(self, table, query, params):
        """Rewrite ``table`` as its owner would: user triggers off, SQL, triggers on."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cr.execute(query, params)
        cr.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        self.env.invalidate_all()

    def test_records_sealed_in_one_linked_chain(self):
        before = self.verify()
        self.assertIsNone(before["break"], before)
        self.sign(self.pouch, "release")
        signature = self.pouch.med_release_signature_id
        release_log = self.pouch.med_release_log_ids.filtered(lambda log: log.signature_id)
        self.assertTrue(release_log)
        signature_entry = self.entry_of(signature)
        log_entry = self.entry_of(release_log)
        self.assertEqual(signature_entry.chain, "audit_trail")
        # the signature is written first, then the status change that cites it
        self.assertEqual(log_entry.seq, signature_entry.seq + 1)
        self.assertEqual(log_entry.prev_hash, signature_entry.entry_hash)
        entries = self.Entry.search([("chain", "=", "audit_trail")], order="seq")
        self.assertEqual(entries.mapped("seq"), list(range(1, len(entries) + 1)))
        self.assertEqual(entries[:1].prev_hash, GENESIS_HASH)
        for previous, entry in zip(entries[:-1], entries[1:], strict=True):
            self.assertEqual(entry.prev_hash, previous.entry_hash)
        after = self.verify()
        self.assertIsNone(after["break"], after)
        self.assertEqual(after["entries"], len(entries))
        self.assertEqual(after["head_hash"], entries[-1].entry_hash)
        self.assertGreaterEqual(after["entries"], before["entries"] + 2)

    def test_sql_tampering_with_trigger_disabled_is_reported(self):
        self.sign(self.pouch, "release", comment="Incoming lot accepted")
        signature = self.pouch.med_release_signature_id
        entry = self.entry_of(signature)
        forged = dict(json.loads(signature.content_json), comment="Lot accepted without checks")
        forged_json = canonical_json(forged)
        self.tamper(
            "med_signature",
            "UPDATE med_signature SET comment = %s, content_json = %s, content_hash = %s "
            "WHERE id = %s",
            [
                forged["comment"],
                forged_json,
                hashlib.sha256(forged_json.encode()).hexdigest(),
                signature.id,
            ],
        )
        # the row alone still looks valid: its hash was rewritten with it
        self.assertEqual(signature.comment, "Lot accepted without checks")
        self.assertTrue(signature.hash_valid)

        result = self.verify()
        failure = result["break"]
        self.assertTrue(failure, "the forged signature was not detected")
        self.assertEqual((failure["model"], failure["res_id"]), ("med.signature", signature.id))
        self.assertEqual(failure["seq"], entry.seq)
        self.assertEqual(failure["problem"], "the sealed record was changed after it was written")
        self.assertEqual(failure["expected"], entry.entry_hash)
        self.assertNotEqual(failure["found"], entry.entry_hash)
        self.assertEqual(result["entries"], entry.seq - 1, "entries before the break are intact")
        report = self.Chain._med_format_report([result])
        self.assertIn(f"BROKEN at entry {entry.seq}", report)
        self.assertIn(f"med.signature,{signature.id}", report)

        # the QA Manager's verification action shows the same first break
        action = self.Chain.with_user(self.manager).action_med_verify()
        verification = self.env[action["res_model"]].browse(action["res_id"])
        self.assertFalse(verification.intact)
        self.assertEqual(verification.break_chain, "audit_trail")
        self.assertEqual(verification.break_seq, entry.seq)
        self.assertIn(f"med.signature,{signature.id}", verification.break_record)
        self.assertEqual(verification.expected_hash, entry.entry_hash)
        self.assertEqual(verification.found_hash, failure["found"])

    def test_rewritten_entry_breaks_the_next_link(self):
        """Rewriting the record *and* its chain entry moves the break to the next entry."""
        self.sign(self.pouch, "release")
        signature = self.pouch.med_release_signature_id
        entry = self.entry_of(signature)
        self.tamper(
            "med_signature",
            "UPDATE med_signature SET comment = 'forged' WHERE id = %s",
            [signature.id],
        )
        content = self.Chain._med_read_contents("med.signature", signature.ids)[signature.id]
        from ..models.med_trail_chain import chain_entry_hash

        rehashed = chain_entry_hash(
            entry.prev_hash, "audit_trail", entry.seq, "med.signature", signature.id, content
        )
        self.tamper(
            "med_trail_chain_entry",
            "UPDATE med_trail_chain_entry SET entry_hash = %s WHERE id = %s",
            [rehashed, entry.id],
        )
        failure = self.verify()["break"]
        self.assertEqual(failure["seq"], entry.seq + 1)
        self.assertEqual(
            failure["problem"], "the link to the previous entry is broken (entry rewritten)"
        )
        self.assertEqual(failure["expected"], rehashed)

    def test_deleted_record_is_reported(self):
        self.sign(self.pouch, "release")
        log = self.pouch.med_release_log_ids.filtered(lambda rec: rec.signature_id)
        entry = self.entry_of(log)
        self.tamper(
            "med_lot_release_log", "DELETE FROM med_lot_release_log WHERE id = %s", [log.id]
        )
        failure = self.verify()["break"]
        self.assertEqual(
            (failure["seq"], failure["problem"]), (entry.seq, "the sealed record was deleted")
        )

    def test_record_inserted_outside_odoo_is_reported(self):
        self.env.flush_all()
        self.env.cr.execute(
            "INSERT INTO med_lot_release_log (lot_id, date, user_id, new_state) "
            "VALUES (%s, now() at time zone 'UTC', %s, 'released') RETURNING id",
            [self.pouch.id, self.manager.id],
        )
        forged_id = self.env.cr.fetchone()[0]
        failure = self.verify()["break"]
        self.assertEqual((failure["model"], failure["res_id"]), ("med.lot.release.log", forged_id))
        self.assertIn("not sealed", failure["problem"])

    def test_upgrade_seals_records_written_before_the_chain(self):
        """The 19.0.1.1.0 migration seals older rows once, in id order, and only them."""
        self.env.flush_all()
        self.env.cr.execute(
            "INSERT INTO med_lot_release_log (lot_id, date, user_id, new_state) "
            "VALUES (%s, now() at time zone 'UTC', %s, 'quarantine') RETURNING id",
            [self.pouch.id, self.manager.id],
        )
        older_id = self.env.cr.fetchone()[0]
        self.assertIn("not sealed", self.verify()["break"]["problem"])
        head = self.verify()["entries"]
        self.Chain._med_seal_unchained()
        older = self.env["med.lot.release.log"].browse(older_id)
        self.assertEqual(self.entry_of(older).seq, head + 1)
        result = self.verify()
        self.assertIsNone(result["break"], result)
        self.assertEqual(result["entries"], head + 1)
        self.Chain._med_seal_unchained()
        self.assertEqual(self.verify()["entries"], head + 1, "sealed only once")

    def test_entries_removed_at_the_end_are_reported(self):
        self.sign(self.pouch, "release")
        log = self.pouch.med_release_log_ids.filtered(lambda rec: rec.signature_id)
        entry = self.entry_of(log)
        head = f"{entry.seq}:{entry.entry_hash}"
        self.assertEqual(self.verify()["head_hash"], entry.entry_hash, "the last entry")
        self.tamper(
            "med_lot_release_log", "DELETE FROM med_lot_release_log WHERE id = %s", [log.id]
        )
        self.tamper(
            "med_trail_chain_entry", "DELETE FROM med_trail_chain_entry WHERE id = %s", [entry.id]
        )
        failure = self.verify()["break"]
        self.assertIn("last entries deleted", failure["problem"])
        self.assertEqual(failure["expected"], head)

    def test_verification_is_for_qa_managers(self):
        for user in (self.inspector, self.stock_user):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(AccessError, "Only a QA Manager can verify"),
            ):
                self.Chain.with_user(user).action_med_verify()
        action = self.Chain.with_user(self.manager).action_med_verify()
        verification = (
            self.env[action["res_model"]].with_user(self.manager).browse(action["res_id"])
        )
        self.assertTrue(verification.intact, verification.report)
        self.assertIn("Chain audit_trail: intact", verification.report)
        # the menu's server action: QA Managers only
        server_action = self.env.ref("med_quality_release.action_med_trail_chain_verify")
        result = server_action.with_user(self.manager).run()
        self.assertEqual(result["res_model"], "med.trail.chain.verification")
        self.assertTrue(self.env[result["res_model"]].browse(result["res_id"]).intact)
        for user in (self.inspector, self.stock_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                server_action.with_user(user).run()

    def test_concurrent_appends_do_not_fork(self):
        """Two transactions sealing at once: the later one must not link to a stale head.

        Real cursors (committed): failed attempts are committed by design too.
        """
        values = {
            "user_login": "p11-concurrency",
            "reason": "concurrency test",
            "failure_type": "password",
        }
        registry = self.registry
        with registry.cursor() as cr1, registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            cr2.execute("SELECT 1")  # cr2's snapshot predates cr1's append
            first = env1["med.signature.attempt"].create(values)
            cr1.commit()
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.SerializationFailure),
            ):
                env2["med.signature.attempt"].create(values)
            cr2.rollback()
            second = env2["med.signature.attempt"].create(values)
            cr2.commit()
            entries = env2["med.trail.chain.entry"].search(
                [
                    ("res_model", "=", "med.signature.attempt"),
                    ("res_id", "in", (first.id, second.id)),
                ],
                order="seq",
            )
            self.assertEqual(len(entries), 2)
            self.assertEqual(entries[1].seq, entries[0].seq + 1)
            self.assertEqual(entries[1].prev_hash, entries[0].entry_hash)
            result = next(
                result
                for result in env2["med.trail.chain"]._med_verify()
                if result["chain"] == "signature_attempts"
            )
            self.assertIsNone(result["break"], result)

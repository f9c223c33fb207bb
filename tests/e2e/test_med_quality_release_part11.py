"""med_quality_release Part 11 records end to end, over XML-RPC as the users concerned
(every failed attempt and notification really committed):

* 25 wrong passwords, then the right one: signing stays locked and the QA Managers are
  notified (21 CFR 11.300(d));
* a signature rewritten through SQL by the database owner (trigger disabled, its own
  hash rewritten too) is reported by ``odoo-bin med_audit_verify`` and by the QA
  Manager's verification, at that signature;
* uninstalling the addon is refused while signatures exist.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from xmlrpc.client import Fault

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))
import odoo_env  # noqa: E402

PASSWORD = "Part11-signer-" + secrets.token_hex(4)


def _ref(xmlrpc, module, name):
    [data] = xmlrpc(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", name)],
        fields=["res_id"],
    )
    return data["res_id"]


def _odoo(odoo_server, *args, stdin=None):
    """Run ``odoo-bin --addons-path=... ARGS -d DB`` on the test database."""
    install = odoo_env.discover(check_version=False)
    env = dict(os.environ)
    for key, default in (
        ("PGHOST", "127.0.0.1"),
        ("PGPORT", "5432"),
        ("PGUSER", "odoo"),
        ("PGPASSWORD", "odoo"),
    ):
        env.setdefault(key, default)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    return subprocess.run(
        install.command(
            f"--addons-path={REPO_ROOT / 'addons'}",
            *args,
            "-d",
            odoo_server.db,
            *odoo_env.db_options(env),
            "--log-level",
            "warn",
        ),
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def part11(odoo_server, xmlrpc):
    manager_group = _ref(xmlrpc, "med_quality_release", "group_qa_manager")
    xmlrpc("res.users", "write", [odoo_server.uid], {"group_ids": [(4, manager_group)]})
    # Odoo's login cooldown parameters, which signing follows (a new database has 10, 60);
    # restored afterwards: the other tests' logins share them
    previous = {
        key: xmlrpc("ir.config_parameter", "get_param", key)
        for key in ("base.login_cooldown_after", "base.login_cooldown_duration")
    }
    xmlrpc("ir.config_parameter", "set_param", "base.login_cooldown_after", "5")
    xmlrpc("ir.config_parameter", "set_param", "base.login_cooldown_duration", "60")
    users = {}
    for key, name in (("signer", "Sam Signer"), ("watcher", "Wanda Watcher")):
        login = f"e2e_part11_{key}"
        user_id = xmlrpc(
            "res.users",
            "create",
            {
                "name": name,
                "login": login,
                "password": PASSWORD,
                "group_ids": [(4, manager_group)],
            },
        )
        [user] = xmlrpc("res.users", "read", [user_id], ["partner_id"])
        users[key] = {"id": user_id, "login": login, "partner_id": user["partner_id"][0]}
    category_id = xmlrpc(
        "product.category",
        "create",
        {"name": "E2E Part 11 devices", "med_quarantine_on_receipt": True},
    )
    product_id = xmlrpc(
        "product.product",
        "create",
        {
            "name": "E2E Part 11 pouch",
            "is_storable": True,
            "tracking": "lot",
            "categ_id": category_id,
        },
    )
    lots = []
    for name in ("E2E-P11-LOCK", "E2E-P11-TAMPER"):
        lot_id = xmlrpc("stock.lot", "create", {"name": name, "product_id": product_id})
        xmlrpc("stock.lot", "action_med_quarantine", [lot_id])
        lots.append(lot_id)
    yield {"users": users, "lots": lots}
    for key, value in previous.items():
        xmlrpc("ir.config_parameter", "set_param", key, value)


def _as(odoo_server, user, model, method, *args, **kwargs):
    return odoo_server.object().execute_kw(
        odoo_server.db, user["id"], PASSWORD, model, method, list(args), kwargs
    )


def _reject(odoo_server, user, lot_id, password):
    action = _as(odoo_server, user, "stock.lot", "action_med_quality_reject", [lot_id])
    _as(odoo_server, user, "med.signature.wizard", "write", [action["res_id"]], {"comment": "E2E"})
    return _as(
        odoo_server,
        user,
        "med.signature.wizard",
        "action_sign",
        [action["res_id"]],
        context={"password": password},
    )


def test_signing_locked_after_repeated_wrong_passwords(odoo_server, xmlrpc, part11):
    signer, watcher = part11["users"]["signer"], part11["users"]["watcher"]
    lot_id = part11["lots"][0]
    for attempt in range(25):
        with pytest.raises(Fault) as fault:
            _reject(odoo_server, signer, lot_id, f"guess-{attempt}")
        expected = "is not correct" if attempt < 5 else "signing is locked for Sam Signer"
        assert expected in fault.value.faultString, (attempt, fault.value.faultString)
    # the right password during the cooldown: refused as well
    with pytest.raises(Fault) as fault:
        _reject(odoo_server, signer, lot_id, PASSWORD)
    assert "signing is locked for Sam Signer" in fault.value.faultString
    [lot] = xmlrpc("stock.lot", "read", [lot_id], ["med_release_decision", "med_signature_ids"])
    assert lot["med_release_decision"] == "quarantine" and not lot["med_signature_ids"]

    attempts = xmlrpc(
        "med.signature.attempt",
        "search_read",
        [("user_login", "=", signer["login"])],
        fields=["failure_type", "res_ref"],
    )
    types = [attempt["failure_type"] for attempt in attempts]
    assert (types.count("password"), types.count("locked")) == (5, 21)
    assert {attempt["res_ref"] for attempt in attempts} == {lot_id}

    # the other QA Managers were notified once, at the fifth wrong password
    messages = xmlrpc(
        "mail.message",
        "search_read",
        [("subject", "=", f"Repeated failed signatures by {signer['login']}")],
        fields=["partner_ids", "body"],
    )
    assert len(messages) == 1
    assert watcher["partner_id"] in messages[0]["partner_ids"]
    assert "5 failed electronic signature attempts by Sam Signer" in messages[0]["body"]
    notifications = xmlrpc(
        "mail.notification",
        "search_count",
        [
            ("mail_message_id", "=", messages[0]["id"]),
            ("res_partner_id", "=", watcher["partner_id"]),
        ],
    )
    assert notifications == 1


def test_tampered_signature_reported_by_the_command(odoo_server, xmlrpc, part11):
    watcher = part11["users"]["watcher"]
    lot_id = part11["lots"][1]
    _reject(odoo_server, watcher, lot_id, PASSWORD)
    [lot] = xmlrpc("stock.lot", "read", [lot_id], ["med_signature_ids"])
    [signature_id] = lot["med_signature_ids"]
    before = _odoo(odoo_server, "med_audit_verify")
    assert before.returncode == 0, before.stdout + before.stderr
    assert "Chain audit_trail: intact" in before.stdout

    # the database owner rewrites the signature and its own hash consistently
    [signature] = xmlrpc("med.signature", "read", [signature_id], ["content_json", "comment"])
    content = dict(json.loads(signature["content_json"]), comment="Lot accepted")
    forged = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    script = (
        "env.cr.execute('ALTER TABLE med_signature DISABLE TRIGGER USER')\n"
        "env.cr.execute('UPDATE med_signature SET comment = %s, content_json = %s, "
        "content_hash = %s WHERE id = %s', "
        f"[{content['comment']!r}, {forged!r}, {hashlib.sha256(forged.encode()).hexdigest()!r}, "
        f"{signature_id}])\n"
        "env.cr.execute('ALTER TABLE med_signature ENABLE TRIGGER USER')\n"
        "env.cr.commit()\n"
    )
    restore = script.replace(repr(content["comment"]), repr(signature["comment"])).replace(
        repr(forged), repr(signature["content_json"])
    )
    restore = restore.replace(
        hashlib.sha256(forged.encode()).hexdigest(),
        hashlib.sha256(signature["content_json"].encode()).hexdigest(),
    )
    tamper = _odoo(odoo_server, "shell", "--no-http", stdin=script)
    assert tamper.returncode == 0, tamper.stderr[-2000:]
    try:
        [row] = xmlrpc("med.signature", "read", [signature_id], ["comment", "hash_valid"])
        assert row == {"id": signature_id, "comment": "Lot accepted", "hash_valid": True}

        after = _odoo(odoo_server, "med_audit_verify")
        assert after.returncode == 1, after.stdout + after.stderr
        assert "Chain audit_trail: BROKEN at entry" in after.stdout
        assert f"(med.signature,{signature_id})" in after.stdout
        assert "the sealed record was changed after it was written" in after.stdout

        action = _as(odoo_server, watcher, "med.trail.chain", "action_med_verify")
        [verification] = _as(
            odoo_server,
            watcher,
            "med.trail.chain.verification",
            "read",
            [action["res_id"]],
            ["intact", "break_chain", "break_record", "expected_hash", "found_hash"],
        )
        assert not verification["intact"]
        assert verification["break_chain"] == "audit_trail"
        assert f"med.signature,{signature_id}" in verification["break_record"]
        assert verification["expected_hash"] != verification["found_hash"]
    finally:
        restored = _odoo(odoo_server, "shell", "--no-http", stdin=restore)
        assert restored.returncode == 0, restored.stderr[-2000:]
    again = _odoo(odoo_server, "med_audit_verify")
    assert again.returncode == 0, again.stdout + again.stderr


def test_uninstall_refused_while_signatures_exist(odoo_server, xmlrpc, part11):
    [module] = xmlrpc(
        "ir.module.module", "search_read", [("name", "=", "med_quality_release")], fields=["id"]
    )
    # Odoo refuses module operations while a scheduled action runs (and logs the lock it
    # could not take), and what the tests before changed wakes some of them
    assert odoo_server.wait_for_scheduled_actions(), "the scheduled actions did not settle"
    with pytest.raises(Fault) as fault:
        xmlrpc("ir.module.module", "button_immediate_uninstall", [module["id"]])
    assert "Medical Device Quality Release cannot be uninstalled" in fault.value.faultString
    assert "Archive them first" in fault.value.faultString
    [module] = xmlrpc("ir.module.module", "read", [module["id"]], ["state"])
    assert module["state"] == "installed"
    assert xmlrpc("med.signature", "search_count", []) >= 1

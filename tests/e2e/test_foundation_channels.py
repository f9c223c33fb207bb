"""The harness itself: a real Odoo 19 answers on both external channels, with every
med-aps addon installed and demo data loaded."""

from __future__ import annotations

import dataclasses
import xmlrpc.client

import pytest

from . import Json2Error


def test_xmlrpc_reaches_odoo_19_and_logs_in(odoo_server):
    version = odoo_server.common().version()
    assert version["server_serie"] == "19.0"
    assert odoo_server.common().authenticate(odoo_server.db, "admin", "wrong password", {}) is False
    users = odoo_server.xmlrpc(
        "res.users", "search_read", [("login", "=", "admin")], fields=["id", "login"]
    )
    assert users == [{"id": odoo_server.uid, "login": "admin"}]


def test_every_addon_installed_with_demo_data_on_both_channels(odoo_server, xmlrpc, json2):
    domain = [("name", "in", odoo_server.addons)]
    fields = ["name", "state", "demo"]
    by_xmlrpc = xmlrpc("ir.module.module", "search_read", domain, fields=fields)
    by_json2 = json2("ir.module.module", "search_read", domain=domain, fields=fields)
    assert sorted(m["name"] for m in by_xmlrpc) == sorted(odoo_server.addons)
    assert all(m["state"] == "installed" for m in by_xmlrpc), by_xmlrpc
    assert all(m["demo"] for m in by_xmlrpc), "demo data not loaded"
    assert sorted(by_json2, key=lambda m: m["id"]) == sorted(by_xmlrpc, key=lambda m: m["id"])


def test_json2_reads_records_by_ids(odoo_server, json2):
    [user] = json2("res.users", "read", ids=[odoo_server.uid], fields=["login"])
    assert user == {"id": odoo_server.uid, "login": "admin"}
    assert json2("res.users", "search", domain=[("login", "=", "admin")]) == [odoo_server.uid]


def test_refused_calls_report_the_problem(odoo_server, json2):
    with pytest.raises(Json2Error) as unknown_model:
        json2("med.no.such.model", "search", domain=[])
    assert unknown_model.value.status == 404
    assert "med.no.such.model" in unknown_model.value.message

    bad_key = dataclasses.replace(odoo_server, api_key="0" * 40)
    with pytest.raises(Json2Error) as refused:
        bad_key.json2("res.users", "search", domain=[])
    assert refused.value.status == 401

    with pytest.raises(xmlrpc.client.Fault) as fault:
        odoo_server.xmlrpc("med.no.such.model", "search", [])
    assert "med.no.such.model" in fault.value.faultString

"""The harness itself: a real Odoo 19 with every med-aps addon and its demo data answers
med-aps' external API (README "External API") the same way on both channels, XML-RPC and
JSON-2, and refuses the same calls with the same message."""

from __future__ import annotations

import dataclasses
import re
from xmlrpc.client import Fault

import pytest

from . import Json2Error

API_READ_KEYS = {
    "id",
    "name",
    "state",
    "solver_status",
    "progress",
    "progress_message",
    "kpis",
    "failure_reason",
}
# (method, keyword arguments, message) of calls the API refuses, changing nothing
REFUSED = {
    "unknown scope key": (
        "api_replan",
        {"scope": {"company": 1}},
        "Unknown scope key(s): company. Allowed: company_id, date_from, date_to, "
        "production_ids, warehouse_id, workcenter_ids.",
    ),
    "company not allowed": (
        "api_replan",
        {"scope": {"company_id": 987654}},
        "Company 987654 is not one of your allowed companies.",
    ),
    "missing orders": (
        "api_replan",
        {"scope": {"production_ids": [987654321]}},
        "production_ids: no record with id(s) 987654321.",
    ),
    "id not a number": (
        "api_read",
        {"run_id": "1"},
        re.compile(r"Record ids must be whole numbers: .*1.*\.$"),
    ),
    "wait beyond the request limit": (
        "api_replan",
        {"params": {"time_limit": 120}, "wait": True},
        "wait=True plans inside the request and is allowed up to a time limit of 30.0 s; "
        "this run asks for 120 s. Queue it (wait=False) and poll api_read.",
    ),
    # the run's name (a sequence) differs between two attempts: "Run <name>: "
    "no solver worker": (
        "api_replan",
        {"params": {"workers": 0}},
        re.compile(r"Run \S+: solver workers must be between 1 and the \d+ CPUs of this server, "),
    ),
}


def _demo_run(xmlrpc):
    ids = xmlrpc("med.aps.run", "search", [("trigger", "=", "demo")], limit=1, order="id")
    assert ids, "the demo data made no plan run"
    return ids[0]


def test_odoo_19_with_every_addon_and_demo_data_on_both_channels(odoo_server, xmlrpc, json2):
    assert odoo_server.common().version()["server_serie"] == "19.0"
    domain = [("name", "in", odoo_server.addons)]
    fields = ["name", "state", "demo"]
    by_xmlrpc = xmlrpc("ir.module.module", "search_read", domain, fields=fields)
    by_json2 = json2("ir.module.module", "search_read", domain=domain, fields=fields)
    assert sorted(m["name"] for m in by_xmlrpc) == sorted(odoo_server.addons)
    assert all(m["state"] == "installed" for m in by_xmlrpc), by_xmlrpc
    assert all(m["demo"] for m in by_xmlrpc), "demo data not loaded"
    assert sorted(by_json2, key=lambda m: m["id"]) == sorted(by_xmlrpc, key=lambda m: m["id"])


def test_api_read_answers_the_same_on_both_channels(xmlrpc, json2):
    run_id = _demo_run(xmlrpc)
    by_xmlrpc = xmlrpc("med.aps.run", "api_read", run_id=run_id)
    by_json2 = json2("med.aps.run", "api_read", run_id=run_id)
    assert by_json2 == by_xmlrpc
    assert set(by_xmlrpc) == API_READ_KEYS
    [record] = xmlrpc("med.aps.run", "read", [run_id], ["name", "state"])
    assert (by_xmlrpc["id"], by_xmlrpc["name"]) == (run_id, record["name"])
    assert by_xmlrpc["state"] == "done" and by_xmlrpc["failure_reason"] is False
    assert by_xmlrpc["kpis"]["workorder_count"] > 0


@pytest.mark.parametrize("case", list(REFUSED))
def test_api_refuses_the_same_call_with_the_same_message_on_both_channels(xmlrpc, json2, case):
    method, kwargs, expected = REFUSED[case]
    runs_before = xmlrpc("med.aps.run", "search_count", [])
    with pytest.raises(Fault) as fault:
        xmlrpc("med.aps.run", method, **kwargs)
    with pytest.raises(Json2Error) as refused:
        json2("med.aps.run", method, **kwargs)
    assert refused.value.status in (400, 422), refused.value
    messages = {"XML-RPC": fault.value.faultString, "JSON-2": refused.value.message}
    for channel, message in messages.items():
        if isinstance(expected, str):
            assert message == expected, channel
        else:
            assert expected.match(message), f"{channel}: {message}"
    # word for word the same answer, but for the name of the run each attempt numbered
    same = {re.sub(r"^Run \S+: ", "Run …: ", message) for message in messages.values()}
    assert len(same) == 1, messages
    assert xmlrpc("med.aps.run", "search_count", []) == runs_before, "a refused call made a run"


def test_api_refuses_bad_credentials_on_both_channels(odoo_server, xmlrpc):
    run_id = _demo_run(xmlrpc)
    assert odoo_server.common().authenticate(odoo_server.db, "admin", "wrong password", {}) is False
    wrong_password = dataclasses.replace(odoo_server, password="wrong password")
    with pytest.raises(Fault) as fault:
        wrong_password.xmlrpc("med.aps.run", "api_read", run_id=run_id)
    assert "Access Denied" in fault.value.faultString

    bad_key = dataclasses.replace(odoo_server, api_key="0" * 40)
    with pytest.raises(Json2Error) as refused:
        bad_key.json2("med.aps.run", "api_read", run_id=run_id)
    assert refused.value.status == 401


def test_unknown_model_is_named_on_both_channels(odoo_server, json2):
    with pytest.raises(Json2Error) as unknown_model:
        json2("med.aps.no_such_model", "api_read", run_id=1)
    assert unknown_model.value.status == 404
    assert "med.aps.no_such_model" in unknown_model.value.message
    with pytest.raises(Fault) as fault:
        odoo_server.xmlrpc("med.aps.no_such_model", "api_read", run_id=1)
    assert "med.aps.no_such_model" in fault.value.faultString

"""med_aps external API end to end: a real Odoo server, XML-RPC and JSON-2."""

from __future__ import annotations

import subprocess
import sys
import time
import xmlrpc.client as xmlrpc_client
from pathlib import Path

import pytest

from . import Json2Error

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
FINISHED = ("done", "failed", "cancelled")
PARAMS = {"time_limit": 5, "workers": 1}


def _pending_orders(xmlrpc, limit=3):
    ids = xmlrpc(
        "mrp.production",
        "search",
        [
            ("state", "=", "confirmed"),
            ("workorder_ids", "any", [("state", "not in", ("done", "cancel"))]),
        ],
        limit=limit,
        order="id",
    )
    assert ids, "the demo data has no confirmed manufacturing order with work orders"
    return ids


def _poll(xmlrpc, run_id, timeout=180):
    deadline = time.monotonic() + timeout
    while True:
        run = xmlrpc("med.aps.run", "api_read", run_id)
        if run["state"] in FINISHED or time.monotonic() > deadline:
            return run
        time.sleep(1)


def test_api_replan_over_xmlrpc_queued_then_done(odoo_server, xmlrpc):
    mo_ids = _pending_orders(xmlrpc)
    result = xmlrpc("med.aps.run", "api_replan", scope={"production_ids": mo_ids}, params=PARAMS)
    assert set(result) == {"id", "state", "kpis"}
    # without wait the run is only queued: planning never happens in the request
    assert result["state"] == "queued"
    run = _poll(xmlrpc, result["id"])
    assert run["state"] == "done", run
    assert run["solver_status"] in ("OPTIMAL", "FEASIBLE")
    assert run["failure_reason"] is False
    assert run["kpis"]["workorder_count"] > 0
    assert "makespan_hours" in run["kpis"]
    [record] = xmlrpc("med.aps.run", "read", [result["id"]], ["trigger", "production_ids"])
    assert record["trigger"] == "api"
    assert sorted(record["production_ids"]) == sorted(mo_ids)
    planned = xmlrpc(
        "mrp.production",
        "search_read",
        [("id", "in", mo_ids)],
        fields=["aps_planned", "aps_last_run_id", "date_start", "date_finished"],
    )
    assert all(p["aps_planned"] and p["aps_last_run_id"][0] == result["id"] for p in planned)


def test_api_replan_over_json2_waits_and_reads(odoo_server, xmlrpc, json2):
    mo_ids = _pending_orders(xmlrpc, limit=2)
    result = json2(
        "med.aps.run",
        "api_replan",
        scope={"production_ids": mo_ids},
        params=PARAMS,
        wait=True,
    )
    assert result["state"] == "done", result
    assert result["kpis"]["workorder_count"] > 0
    read = json2("med.aps.run", "api_read", run_id=result["id"])
    assert read["id"] == result["id"]
    assert read["state"] == "done"
    assert read["progress"] == 100.0
    assert read["kpis"] == result["kpis"]


def test_api_refuses_bad_input_without_creating_a_run(odoo_server, xmlrpc, json2):
    before = xmlrpc("med.aps.run", "search_count", [])
    with pytest.raises(Json2Error) as unknown_key:
        json2("med.aps.run", "api_replan", params={"time_limt": 3})
    assert "Unknown params key(s): time_limt" in unknown_key.value.message
    with pytest.raises(Json2Error) as missing_run:
        json2("med.aps.run", "api_read", run_id=987654321)
    assert "no plan run with id 987654321" in missing_run.value.message
    assert xmlrpc("med.aps.run", "search_count", []) == before


def test_example_client_runs_against_the_server(odoo_server, xmlrpc):
    mo_ids = _pending_orders(xmlrpc, limit=1)
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "examples" / "replan_client.py"),
            "--url",
            odoo_server.url,
            "--db",
            odoo_server.db,
            "--user",
            odoo_server.login,
            "--password",
            odoo_server.password,
            "--mo",
            str(mo_ids[0]),
            "--time-limit",
            "3",
            "--poll",
            "1",
            "--timeout",
            "180",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    assert '"state": "done"' in completed.stdout


def test_panorama_over_both_channels_and_refused_to_an_operator(odoo_server, xmlrpc, json2):
    by_xmlrpc = xmlrpc("med.aps.panorama", "get_panorama", days=7)
    by_json2 = json2("med.aps.panorama", "get_panorama", days=7)
    for data in (by_xmlrpc, by_json2):
        assert data["summary"]["open"] > 0
        assert data["orders"], data["summary"]
        assert data["workcenters"]
    assert by_json2["summary"] == by_xmlrpc["summary"]
    assert [o["id"] for o in by_json2["orders"]] == [o["id"] for o in by_xmlrpc["orders"]]
    mrp_user = xmlrpc("ir.model.data", "check_object_reference", "mrp", "group_mrp_user")[1]
    operator_id = xmlrpc(
        "res.users",
        "create",
        {
            "name": "E2E Panorama Operator",
            "login": "e2e_panorama_operator",
            "password": "e2e-panorama-operator",
            "group_ids": [(4, mrp_user)],
        },
    )
    with pytest.raises(xmlrpc_client.Fault) as refused:
        odoo_server.object().execute_kw(
            odoo_server.db,
            operator_id,
            "e2e-panorama-operator",
            "med.aps.panorama",
            "get_panorama",
            [],
            {},
        )
    assert "Only APS users can open the production panorama" in refused.value.faultString


def test_plan_check_requests_are_the_servers_own(odoo_server, xmlrpc):
    """An event or a plan written asks the scheduled check for its company's check (a
    request row): a planner over XML-RPC can neither create, read, change nor delete one,
    and nothing is written."""
    planner_group = xmlrpc(
        "ir.model.data", "check_object_reference", "med_aps", "group_aps_planner"
    )[1]
    password = "e2e-check-request-planner"
    planner_id = xmlrpc(
        "res.users",
        "create",
        {
            "name": "E2E Check Request Planner",
            "login": "e2e_check_request_planner",
            "password": password,
            "group_ids": [(4, planner_group)],
        },
    )
    [admin] = xmlrpc("res.users", "read", [odoo_server.uid], ["company_id"])
    model = "med.aps.plan.check.request"
    before = xmlrpc(model, "search_read", [], ["company_id"], order="id")
    attempts = (
        ("create", [{"company_id": admin["company_id"][0]}], "create"),
        ("search_read", [[]], "access"),
        ("write", [[1], {"company_id": admin["company_id"][0]}], "modify"),
        ("unlink", [[1]], "delete"),
    )
    for method, args, verb in attempts:
        with pytest.raises(xmlrpc_client.Fault) as refused:
            odoo_server.object().execute_kw(
                odoo_server.db, planner_id, password, model, method, args, {}
            )
        assert (
            f"You are not allowed to {verb} 'Plan Check Request' ({model}) records"
            in refused.value.faultString
        ), (method, refused.value.faultString[-300:])
    assert xmlrpc(model, "search_read", [], ["company_id"], order="id") == before

"""What-if scenarios over XML-RPC on the demo plant: a simulation writes nothing, and an APS
User (reader) can neither simulate nor apply one."""

from __future__ import annotations

import time
import xmlrpc.client as xmlrpc_client
from datetime import datetime, timedelta, timezone

import pytest

FINISHED = ("done", "failed", "cancelled")


def _utc(days):
    moment = datetime.now(timezone.utc) + timedelta(days=days)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _positions(xmlrpc):
    rows = xmlrpc(
        "mrp.workorder",
        "search_read",
        [("state", "not in", ("done", "cancel"))],
        fields=["workcenter_id", "date_start", "date_finished", "aps_run_id"],
        order="id",
    )
    return [(r["id"], r["workcenter_id"], r["date_start"], r["date_finished"]) for r in rows]


def test_simulation_writes_nothing_and_a_reader_cannot_apply(odoo_server, xmlrpc):
    [workcenter] = xmlrpc("mrp.workcenter", "search", [("aps_enabled", "=", True)], limit=1)
    scenario_id = xmlrpc(
        "med.aps.scenario",
        "create",
        {
            "name": "E2E press down",
            "time_limit": 5,
            "line_ids": [
                (
                    0,
                    0,
                    {
                        "kind": "closure",
                        "workcenter_id": workcenter,
                        "date_from": _utc(0),
                        "date_to": _utc(1),
                    },
                )
            ],
        },
    )
    before = _positions(xmlrpc)
    xmlrpc("med.aps.scenario", "action_simulate", [scenario_id])
    [run_id] = xmlrpc("med.aps.run", "search", [("scenario_id", "=", scenario_id)])
    deadline = time.monotonic() + 180
    while True:
        run = xmlrpc("med.aps.run", "api_read", run_id)
        if run["state"] in FINISHED or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert run["state"] == "done", run
    assert _positions(xmlrpc) == before
    aps_user = xmlrpc("ir.model.data", "check_object_reference", "med_aps", "group_aps_user")[1]
    reader_id = xmlrpc(
        "res.users",
        "create",
        {
            "name": "E2E Scenario Reader",
            "login": "e2e_scenario_reader",
            "password": "e2e-scenario-reader",
            "group_ids": [(4, aps_user)],
        },
    )
    for model, method, record_id in (
        ("med.aps.run", "action_apply", run_id),
        ("med.aps.scenario", "action_simulate", scenario_id),
    ):
        with pytest.raises(xmlrpc_client.Fault) as refused:
            odoo_server.object().execute_kw(
                odoo_server.db, reader_id, "e2e-scenario-reader", model, method, [[record_id]], {}
            )
        assert "Only APS planners" in refused.value.faultString
    assert _positions(xmlrpc) == before
    assert xmlrpc("med.aps.run", "search_count", [("apply_source_id", "=", run_id)]) == 0

"""Material pegging, holding cost and the earliness option over XML-RPC and JSON-2."""

from __future__ import annotations

import xmlrpc.client as xmlrpc_client
from collections import defaultdict

import pytest

from . import Json2Error


def _pending_orders(xmlrpc, limit=3):
    ids = xmlrpc(
        "mrp.production",
        "search",
        [
            ("state", "=", "confirmed"),
            ("workorder_ids", "any", [("state", "not in", ("done", "cancel"))]),
            ("move_raw_ids", "!=", False),
        ],
        limit=limit,
        order="id",
    )
    assert ids, "the demo data has no confirmed manufacturing order with components"
    return ids


def _user(xmlrpc, login, groups):
    group_ids = [
        xmlrpc("ir.model.data", "check_object_reference", *group.split("."))[1] for group in groups
    ]
    return xmlrpc(
        "res.users",
        "create",
        {
            "name": login,
            "login": login,
            "password": login + "-pw",
            "group_ids": [(4, gid) for gid in group_ids],
        },
    )


def test_replan_with_earliness_pegs_every_requirement(odoo_server, xmlrpc, json2):
    mo_ids = _pending_orders(xmlrpc)
    result = json2(
        "med.aps.run",
        "api_replan",
        scope={"production_ids": mo_ids},
        params={"time_limit": 5, "workers": 1, "weight_earliness": 5},
        wait=True,
    )
    assert result["state"] == "done", result
    [run] = xmlrpc("med.aps.run", "read", [result["id"]], ["weight_earliness", "holding_cost"])
    assert run["weight_earliness"] == 5
    assert run["holding_cost"] >= 0
    moves = xmlrpc(
        "stock.move",
        "search_read",
        [
            ("raw_material_production_id", "in", mo_ids),
            ("state", "not in", ("done", "cancel")),
            ("product_id.is_storable", "=", True),
        ],
        fields=["product_qty"],
    )
    pegs = json2(
        "med.aps.peg",
        "search_read",
        domain=[("move_id", "in", [m["id"] for m in moves])],
        fields=["move_id", "quantity", "run_id", "supply_kind"],
    )
    pegged = defaultdict(float)
    for peg in pegs:
        pegged[peg["move_id"][0]] += peg["quantity"]
        assert peg["run_id"][0] == result["id"]
    for move in moves:
        assert pegged[move["id"]] == pytest.approx(move["product_qty"]), move
    kpis = xmlrpc(
        "med.aps.holding.kpi", "search_read", [("run_id", "=", result["id"])], fields=["kind"]
    )
    assert {k["kind"] for k in kpis} <= {"component", "finished"}
    with pytest.raises(Json2Error):
        json2(
            "med.aps.run",
            "api_replan",
            scope={"production_ids": mo_ids},
            params={"weight_earliness": -1},
        )


def test_pegs_and_proposals_refuse_weaker_users(odoo_server, xmlrpc):
    planner_id = _user(xmlrpc, "e2e_peg_planner", ["med_aps.group_aps_planner", "base.group_user"])
    peg_ids = xmlrpc("med.aps.peg", "search", [], limit=1)
    if not peg_ids:
        mo_ids = _pending_orders(xmlrpc, limit=1)
        xmlrpc(
            "med.aps.run",
            "api_replan",
            {"production_ids": mo_ids},
            {"time_limit": 5, "workers": 1},
            True,
        )
        peg_ids = xmlrpc("med.aps.peg", "search", [], limit=1)
    assert peg_ids
    [before] = xmlrpc("med.aps.peg", "read", peg_ids, ["quantity"])
    proxy = odoo_server.object()
    for method, args in (
        ("write", [peg_ids, {"quantity": 999}]),
        ("unlink", [peg_ids]),
    ):
        with pytest.raises(xmlrpc_client.Fault) as refused:
            proxy.execute_kw(
                odoo_server.db, planner_id, "e2e_peg_planner-pw", "med.aps.peg", method, args, {}
            )
        assert "not allowed" in refused.value.faultString
    [after] = xmlrpc("med.aps.peg", "read", peg_ids, ["quantity"])
    assert after == before
    # a planner without purchase rights cannot turn proposals into RFQs
    with pytest.raises(xmlrpc_client.Fault) as refused:
        proxy.execute_kw(
            odoo_server.db,
            planner_id,
            "e2e_peg_planner-pw",
            "med.aps.purchase.proposal",
            "action_create_rfq",
            [[]],
            {},
        )
    assert "Only purchase users can create requests for quotation" in refused.value.faultString

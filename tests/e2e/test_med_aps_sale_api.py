"""Capable-to-promise over the external API: ``sale.order.line.api_promise_date`` through
XML-RPC and JSON-2 on the demo plant (med_aps_sale)."""

from __future__ import annotations

import xmlrpc.client as xmlrpc_client
from datetime import datetime

import pytest

from . import Json2Error

ANSWER_KEYS = {"date", "reason", "kind", "workcenter", "components", "seconds"}


def _syringe(xmlrpc):
    return xmlrpc("ir.model.data", "check_object_reference", "med_aps", "product_syringe_10ml")[1]


def _check_answer(answer):
    assert set(answer) == ANSWER_KEYS, answer
    assert answer["kind"] in ("material", "bottleneck", "lead_time")
    assert answer["reason"]
    promised = datetime.strptime(answer["date"], "%Y-%m-%d %H:%M:%S")
    assert promised > datetime.utcnow()
    assert answer["seconds"] <= 10.0
    return promised


def test_promise_date_of_a_line_over_xmlrpc(odoo_server, xmlrpc):
    partner_id = xmlrpc("res.partner", "create", {"name": "E2E Promise Hospital"})
    order_id = xmlrpc(
        "sale.order",
        "create",
        {
            "partner_id": partner_id,
            "order_line": [(0, 0, {"product_id": _syringe(xmlrpc), "product_uom_qty": 50})],
        },
    )
    [order] = xmlrpc("sale.order", "read", [order_id], ["order_line"])
    [line_id] = order["order_line"]
    answer = xmlrpc("sale.order.line", "api_promise_date", line_id=line_id)
    _check_answer(answer)
    [line] = xmlrpc(
        "sale.order.line", "read", [line_id], ["aps_promise_date", "aps_promise_reason"]
    )
    assert line["aps_promise_date"] == answer["date"]
    assert line["aps_promise_reason"] == answer["reason"]


def test_promise_date_of_a_quantity_over_json2(odoo_server, xmlrpc, json2):
    mo_count = xmlrpc("mrp.production", "search_count", [])
    answer = json2("sale.order.line", "api_promise_date", product_id=_syringe(xmlrpc), quantity=20)
    _check_answer(answer)
    # the demand was planned as a hypothetical order: nothing of it stays
    assert xmlrpc("mrp.production", "search_count", []) == mo_count
    with pytest.raises(Json2Error) as refused:
        json2("sale.order.line", "api_promise_date", product_id=_syringe(xmlrpc), quantity=-1)
    assert "quantity must be positive" in refused.value.message


def test_promise_date_refused_to_a_user_without_sales_or_aps_rights(odoo_server, xmlrpc):
    employee = xmlrpc("ir.model.data", "check_object_reference", "base", "group_user")[1]
    user_id = xmlrpc(
        "res.users",
        "create",
        {
            "name": "E2E Promise Outsider",
            "login": "e2e_promise_outsider",
            "password": "e2e-promise-outsider",
            "group_ids": [(6, 0, [employee])],
        },
    )
    with pytest.raises(xmlrpc_client.Fault) as refused:
        odoo_server.object().execute_kw(
            odoo_server.db,
            user_id,
            "e2e-promise-outsider",
            "sale.order.line",
            "api_promise_date",
            [],
            {"product_id": _syringe(xmlrpc), "quantity": 1},
        )
    assert "Only salespeople and APS users can ask for a promise date" in refused.value.faultString

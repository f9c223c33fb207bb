"""med_trace end to end: holds, genealogy screen and UDI over XML-RPC and JSON-2."""

from __future__ import annotations

import time
from xmlrpc.client import Fault

import pytest

from . import Json2Error


def _gtin14():
    """A valid GTIN-14 no other record uses (the database may be re-used)."""
    body = "09" + str(time.time_ns())[-11:]
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def _wrong_check_digit(gtin):
    return gtin[:-1] + str((int(gtin[-1]) + 1) % 10)


@pytest.fixture(scope="module")
def lot(xmlrpc, json2):
    gtin = _gtin14()
    product_id = xmlrpc(
        "product.product",
        "create",
        {
            "name": "E2E infusion set",
            "is_storable": True,
            "tracking": "lot",
            "med_gtin": gtin,
        },
    )
    lot_id = xmlrpc("stock.lot", "create", {"name": "E2E-LOT-1", "product_id": product_id})
    warehouse_id = xmlrpc("stock.warehouse", "search", [], limit=1)[0]
    [warehouse] = xmlrpc("stock.warehouse", "read", [warehouse_id], ["lot_stock_id"])
    xmlrpc(
        "stock.quant",
        "create",
        {
            "product_id": product_id,
            "location_id": warehouse["lot_stock_id"][0],
            "lot_id": lot_id,
            "inventory_quantity": 5,
        },
    )
    quant_ids = xmlrpc("stock.quant", "search", [("lot_id", "=", lot_id)])
    json2("stock.quant", "action_apply_inventory", ids=quant_ids)
    return {"id": lot_id, "product_id": product_id, "warehouse_id": warehouse_id, "gtin": gtin}


def test_udi_parse_over_json2(json2, lot):
    [record] = json2("stock.lot", "read", ids=[lot["id"]], fields=["med_udi"])
    assert record["med_udi"] == f"(01){lot['gtin']}(10)E2E-LOT-1"
    [wizard_id] = json2(
        "med.udi.scan.wizard", "create", vals_list=[{"udi": f"]d201{lot['gtin']}10E2E-LOT-1"}]
    )
    action = json2("med.udi.scan.wizard", "action_open_lot", ids=[wizard_id])
    assert (action["res_model"], action["res_id"]) == ("stock.lot", lot["id"])
    [wizard_id] = json2(
        "med.udi.scan.wizard",
        "create",
        vals_list=[{"udi": f"(01){_wrong_check_digit(lot['gtin'])}(10)E2E-LOT-1"}],
    )
    with pytest.raises(Json2Error) as error:
        json2("med.udi.scan.wizard", "action_open_lot", ids=[wizard_id])
    assert f"wrong check digit (expected {lot['gtin'][-1]})" in error.value.message


def test_hold_blocks_reservation_over_xmlrpc(xmlrpc, lot):
    xmlrpc("stock.lot", "action_med_hold", [lot["id"]], "E2E complaint")
    [record] = xmlrpc("stock.lot", "read", [lot["id"]], ["med_hold_active"])
    assert record["med_hold_active"] is True
    with pytest.raises(Fault) as fault:
        xmlrpc("stock.lot", "action_med_hold", [lot["id"]], "twice")
    assert "already on hold" in fault.value.faultString

    [warehouse] = xmlrpc("stock.warehouse", "read", [lot["warehouse_id"]], ["out_type_id"])
    picking_id = xmlrpc(
        "stock.picking",
        "create",
        {
            "picking_type_id": warehouse["out_type_id"][0],
            "move_ids": [(0, 0, {"product_id": lot["product_id"], "product_uom_qty": 1})],
        },
    )
    xmlrpc("stock.picking", "action_confirm", [picking_id])
    xmlrpc("stock.picking", "action_assign", [picking_id])
    [picking] = xmlrpc("stock.picking", "read", [picking_id], ["state", "move_line_ids"])
    assert picking["state"] == "confirmed"
    assert not picking["move_line_ids"]

    xmlrpc("stock.lot", "action_med_release_hold", [lot["id"]], "E2E closed")
    xmlrpc("stock.picking", "action_assign", [picking_id])
    [picking] = xmlrpc("stock.picking", "read", [picking_id], ["state"])
    assert picking["state"] == "assigned"


def test_genealogy_screen_over_xmlrpc(xmlrpc, lot):
    action = xmlrpc("stock.lot", "action_med_genealogy", [lot["id"]])
    assert action["res_model"] == "med.trace.genealogy"
    [genealogy] = xmlrpc(
        "med.trace.genealogy", "read", [action["res_id"]], ["graph_svg", "downstream_count"]
    )
    assert genealogy["graph_svg"].startswith("<svg")
    assert "E2E-LOT-1" in genealogy["graph_svg"]
    assert genealogy["downstream_count"] == 0

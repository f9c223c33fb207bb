"""The screens a planner and a QA manager open first, on the demo data, in a real browser.

Each test opens a screen as the demo admin, asserts what a user reads there and saves a
screenshot into ``.ci/work/screenshots/`` (or ``$MEDAPS_SCREENSHOT_DIR``) for the reviewer.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from .browser import Browser, find_browser

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = Path(os.environ.get("MEDAPS_SCREENSHOT_DIR") or REPO_ROOT / ".ci/work/screenshots")


def _session_id(server) -> str:
    request = urllib.request.Request(
        f"{server.url}/web/session/authenticate",
        data=json.dumps(
            {
                "jsonrpc": "2.0",
                "params": {"db": server.db, "login": server.login, "password": server.password},
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = json.load(answer)
        cookies = SimpleCookie(answer.headers.get("Set-Cookie", ""))
    assert "error" not in body, body
    return cookies["session_id"].value


@pytest.fixture(scope="module")
def browser(odoo_server):
    executable = find_browser()
    if not executable:
        pytest.skip("no Chromium on this machine: the screen tests need one")
    tab = Browser(executable)
    try:
        tab.set_session(odoo_server.url, _session_id(odoo_server))
        yield tab
    finally:
        tab.close()


def _open(browser, server, path, selector, what):
    browser.goto(f"{server.url}{path}")
    browser.wait_for(selector, what=what)


def _require(server, addon):
    if addon not in server.addons:
        pytest.skip(f"{addon} is not installed")


def test_timeline_has_one_lane_per_work_center_unit(odoo_server, browser):
    _require(odoo_server, "med_aps")
    workorders = odoo_server.xmlrpc(
        "mrp.workorder",
        "search_read",
        # the timeline opens on the work orders starting within two weeks
        [
            ("state", "not in", ("done", "cancel")),
            ("date_start", "!=", False),
            ("date_start", "<", "today +15d"),
        ],
        fields=["workcenter_id"],
    )
    assert workorders, "the demo plan dates work orders"
    workcenter_ids = sorted({wo["workcenter_id"][0] for wo in workorders})
    workcenters = odoo_server.xmlrpc(
        "mrp.workcenter",
        "read",
        workcenter_ids,
        fields=["display_name", "aps_parallel_capacity"],
    )
    expected = sorted(
        (
            f"{wc['display_name']} · unit {unit}"
            if wc["aps_parallel_capacity"] > 1
            else wc["display_name"]
        )
        for wc in workcenters
        for unit in range(1, max(1, wc["aps_parallel_capacity"]) + 1)
    )

    _open(
        browser,
        odoo_server,
        "/odoo/aps-timeline",
        ".o_med_aps_workorder_timeline .vis-item.o_med_aps_wo",
        "the work order timeline with its bars",
    )
    lanes = sorted(browser.texts(".vis-labelset .vis-label"))
    assert lanes == expected
    assert browser.evaluate("document.querySelectorAll('.vis-item.o_med_aps_closed').length") > 0
    browser.screenshot(SCREENSHOTS / "med_aps_timeline.png")


def test_plan_run_form_reads_as_a_planner_would(odoo_server, browser):
    _require(odoo_server, "med_aps")
    # a repair that found nothing left to plan is done without a solver's result
    run_ids = odoo_server.xmlrpc(
        "med.aps.run", "search", [("state", "=", "done"), ("solver_status", "!=", False)], limit=1
    )
    assert run_ids, "the demo made a plan run"
    _open(
        browser,
        odoo_server,
        f"/odoo/med.aps.run/{run_ids[0]}",
        ".o_form_view .o_field_widget[name=solver_status]",
        "the plan run form with its result",
    )
    status = browser.texts(".o_form_view .o_field_widget[name=solver_status]")[0]
    assert status and status.upper() != status, f"raw solver status shown: {status}"
    assert not browser.texts(".o_form_view .o_form_statusbar button[name=action_start]")
    assert browser.texts(".o_form_view .o_field_widget[name=weighted_tardiness]")
    browser.screenshot(SCREENSHOTS / "med_aps_run_form.png")


def test_manufacturing_orders_show_lateness_with_its_unit(odoo_server, browser):
    _require(odoo_server, "med_aps")
    late = odoo_server.xmlrpc(
        "mrp.production",
        "search_count",
        [("aps_is_late", "=", True), ("state", "not in", ("done", "cancel"))],
    )
    _open(
        browser,
        odoo_server,
        "/odoo/manufacturing",
        ".o_list_view th[data-name=aps_tardiness_display]",
        "the manufacturing order list with the Late By column",
    )
    # the reference is readable: not cut by the planning columns
    assert browser.evaluate(
        "[...document.querySelectorAll('.o_data_cell[name=name]')]"
        ".every((cell) => cell.scrollWidth <= cell.clientWidth)"
    ), "a manufacturing order reference is cut"
    cells = [c for c in browser.texts(".o_data_cell[name=aps_tardiness_display]") if c]
    if late:
        assert cells, "late demo orders show how late they are"
    for cell in cells:
        assert re.fullmatch(r"\d+(\.\d)? (h|days)|\d+ min", cell), cell
    browser.screenshot(SCREENSHOTS / "med_aps_production_list.png")


def test_work_center_load_draws_capacity_beside_the_load(odoo_server, browser):
    _require(odoo_server, "med_aps")
    _open(
        browser,
        odoo_server,
        "/odoo/aps-workcenter-load",
        ".o_graph_renderer canvas",
        "the work center load graph",
    )
    datasets = browser.evaluate(
        "Object.values(window.Chart ? Chart.instances : {})"
        ".flatMap((chart) => chart.data.datasets.map((d) => ["
        "d.label, d.data.reduce((sum, value) => sum + (value || 0), 0)]))"
    )
    totals = dict(datasets)
    assert "Capacity (available hours)" in totals, datasets
    # the capacity read beside the load is drawn, not an empty line
    assert totals["Capacity (available hours)"] > 0, datasets
    browser.screenshot(SCREENSHOTS / "med_aps_workcenter_load.png")


def _xmlid_res_id(server, xmlid):
    module, name = xmlid.split(".")
    rows = server.xmlrpc(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", name)],
        fields=["res_id"],
    )
    assert rows, f"{xmlid} is in the demo data"
    return rows[0]["res_id"]


def test_lots_to_release_show_what_each_waits_for(odoo_server, browser):
    _require(odoo_server, "med_quality_release")
    _open(
        browser,
        odoo_server,
        "/odoo/action-med_quality_release.action_med_lot_quarantine",
        ".o_list_view .o_data_row",
        "the Lots to Release list",
    )
    headers = browser.texts(".o_list_view thead th")
    for column in ("Quantity", "Release Due", "Waiting for"):
        assert any(column in header for header in headers), (column, headers)
    rows = browser.texts(".o_list_view .o_data_row")
    waiting = [row for row in rows if "LSR-26-0905" in row]
    assert waiting and "Incoming inspection" in waiting[0], rows
    browser.screenshot(SCREENSHOTS / "med_quality_lots_to_release.png")


def test_checks_needing_action_include_the_failed_ones(odoo_server, browser):
    _require(odoo_server, "med_quality_release")
    _open(
        browser,
        odoo_server,
        "/odoo/action-med_quality_release.action_med_quality_check",
        ".o_list_view .o_data_row",
        "the quality checks list",
    )
    assert "Needs Action" in " ".join(browser.texts(".o_searchview_facet"))
    rows = " ".join(browser.texts(".o_list_view .o_data_row"))
    assert "LSR-26-0905" in rows, "a check to do"
    assert "FOL-2611-02" in rows, "a failed check waiting for its nonconformance"
    browser.screenshot(SCREENSHOTS / "med_quality_checks.png")


def test_recall_from_the_demo_resin_lot_names_both_hospitals(odoo_server, browser):
    _require(odoo_server, "med_trace")
    lot_id = _xmlid_res_id(odoo_server, "med_trace.demo_lot_pp_resin")
    recall_ids = odoo_server.xmlrpc("med.recall", "search", [("suspect_lot_ids", "in", [lot_id])])
    assert recall_ids
    _open(
        browser,
        odoo_server,
        f"/odoo/med.recall/{recall_ids[0]}",
        ".o_form_view .o_field_widget[name=line_ids] .o_data_row",
        "the recall form with its impact",
    )
    text = browser.evaluate("document.querySelector('.o_form_view').innerText")
    assert "St. Mary's Hospital" in text and "Riverside General Hospital" in text
    browser.screenshot(SCREENSHOTS / "med_trace_recall.png")


def test_genealogy_of_a_kit_lot_has_a_real_title(odoo_server, browser):
    _require(odoo_server, "med_trace")
    lot_id = _xmlid_res_id(odoo_server, "med_trace.demo_lot_syringe_kit_a")
    _open(
        browser,
        odoo_server,
        f"/odoo/stock.lot/{lot_id}",
        ".o_form_view button[name=action_med_genealogy]",
        "the lot form with its Genealogy button",
    )
    browser.evaluate(
        "document.querySelector('.o_form_view button[name=action_med_genealogy]').click()"
    )
    browser.wait_for(".o_med_trace_genealogy svg", what="the genealogy graph")
    title = " ".join(browser.texts(".o_breadcrumb"))
    assert "SYK-2611-01" in title and "med.trace.genealogy" not in title, title
    graph = browser.evaluate("document.querySelector('.o_med_trace_genealogy svg').textContent")
    assert "PP-24117" in graph, "the resin lot is upstream of the kit"
    assert "St. Mary" in graph or "Riverside" in graph, "the deliveries are downstream"
    browser.screenshot(SCREENSHOTS / "med_trace_genealogy.png")


def test_timeline_axis_in_the_users_language(odoo_server, browser):
    """The timeline's dates follow the user's language (here Chinese), not vis' English."""
    _require(odoo_server, "med_aps")
    lang_ids = odoo_server.xmlrpc(
        "res.lang", "search", [("code", "=", "zh_CN"), ("active", "in", (True, False))]
    )
    wizard = odoo_server.xmlrpc("base.language.install", "create", {"lang_ids": [(6, 0, lang_ids)]})
    odoo_server.xmlrpc("base.language.install", "lang_install", [wizard])
    odoo_server.xmlrpc("res.users", "write", [odoo_server.uid], {"lang": "zh_CN"})
    try:
        _open(
            browser,
            odoo_server,
            "/odoo/aps-timeline",
            ".o_med_aps_workorder_timeline .vis-item.o_med_aps_wo",
            "the work order timeline in Chinese",
        )
        axis = " ".join(browser.texts(".vis-time-axis .vis-text"))
        assert re.search(r"[\u4e00-\u9fff]", axis), axis
        assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|December|January)\b", axis), axis
        browser.screenshot(SCREENSHOTS / "med_aps_timeline_zh_CN.png")
    finally:
        odoo_server.xmlrpc("res.users", "write", [odoo_server.uid], {"lang": "en_US"})


def test_production_panorama_on_the_demo_plant(odoo_server, browser):
    _require(odoo_server, "med_aps")
    _open(
        browser,
        odoo_server,
        "/odoo/action-med_aps.action_med_aps_panorama",
        ".o_med_aps_panorama_order",
        "the panorama's orders",
    )
    counts = browser.texts(".o_med_aps_panorama_summary .fs-3")
    assert counts and int(counts[0]) > 0, counts
    assert browser.texts(".o_med_aps_panorama_workcenter")
    assert browser.texts(".o_med_aps_panorama_run")
    browser.screenshot(SCREENSHOTS / "med_aps_panorama.png")


def test_a_repair_with_nothing_left_to_plan_says_so(odoo_server, browser):
    """A repair of a plant whose open work is all finished ends done without a solver's
    result: its form says so instead of showing an empty result. (Last of the screens: it
    adds a company.)"""
    _require(odoo_server, "med_aps")
    xmlrpc = odoo_server.xmlrpc
    main_id = xmlrpc("res.users", "read", [odoo_server.uid], ["company_id"])[0]["company_id"][0]
    company_id = xmlrpc("res.company", "create", {"name": "E2E Plant Without Open Work"})
    xmlrpc("res.users", "write", [odoo_server.uid], {"company_ids": [(4, company_id)]})
    context = {"allowed_company_ids": [company_id, main_id]}
    run_id = xmlrpc(
        "med.aps.run",
        "create",
        {"trigger": "repair", "company_id": company_id, "time_limit": 5},
        context=context,
    )
    xmlrpc("med.aps.run", "action_start", [run_id], context=context)
    deadline = time.monotonic() + 120
    while True:
        [run] = xmlrpc("med.aps.run", "read", [run_id], ["state", "solver_status"], context=context)
        if run["state"] not in ("queued", "running"):
            break
        assert time.monotonic() < deadline, f"the repair did not end: {run}"
        time.sleep(1)
    assert (run["state"], run["solver_status"]) == ("done", False), run

    browser.evaluate(f"document.cookie = 'cids={main_id}-{company_id}; path=/'")
    _open(
        browser,
        odoo_server,
        f"/odoo/med.aps.run/{run_id}",
        ".o_form_view .alert-info",
        "the form of a repair that had nothing to plan",
    )
    [note] = browser.texts(".o_form_view .alert-info")
    assert "no pending work order left to plan" in note, note
    assert not browser.texts(".o_form_view .o_field_widget[name=weighted_tardiness]")
    browser.screenshot(SCREENSHOTS / "med_aps_run_nothing_to_plan.png")

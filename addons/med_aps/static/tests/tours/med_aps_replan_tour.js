import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

registry.category("web_tour.tours").add("med_aps_replan_tour", {
    steps: () => [
        // 1. the work order timeline: bars coloured per order, late and locked ones marked
        {
            content: "The timeline shows the planned work orders",
            trigger: ".o_med_aps_workorder_timeline .vis-item.o_med_aps_wo",
        },
        {
            content: "A three-unit oven has one lane per unit, and no lane is left empty",
            trigger: ".vis-label:contains('Tour Oven · unit 3')",
            run() {
                const labels = [...document.querySelectorAll(".vis-labelset .vis-label")].map(
                    (label) => label.textContent.trim()
                );
                const oven = labels.filter((label) => label.startsWith("Tour Oven"));
                if (oven.length !== 3) {
                    throw new Error(`expected 3 oven lanes, got ${oven.join(", ")}`);
                }
                if (labels.some((label) => /unassigned/i.test(label))) {
                    throw new Error("an empty 'unassigned' lane is shown");
                }
            },
        },
        {
            content: "Bars are never stacked inside a lane",
            trigger: ".vis-foreground .vis-group .vis-item.o_med_aps_wo",
            run() {
                for (const group of document.querySelectorAll(".vis-foreground .vis-group")) {
                    const tops = new Set(
                        [...group.querySelectorAll(".vis-item.o_med_aps_wo")].map(
                            (item) => item.style.top
                        )
                    );
                    if (tops.size > 1) {
                        throw new Error(`a lane stacks its bars in ${tops.size} rows`);
                    }
                }
            },
        },
        {
            content: "Closed time is shaded",
            trigger: ".vis-item.vis-background.o_med_aps_closed",
        },
        {
            content: "A work order running through the night shows its break",
            trigger: ".vis-item.o_med_aps_wo.o_med_aps_interrupted",
        },
        {
            content: "Search the work orders of the tour's work center",
            trigger: ".o_searchview_input",
            run: "edit Tour Press",
        },
        {
            content: "Search by work center",
            trigger: ".o_searchview_autocomplete .o-dropdown-item:contains('Work Center')",
            run: "click",
        },
        {
            content: "The search is applied",
            trigger: ".o_searchview_facet:contains('Tour Press')",
        },
        {
            content: "Work orders are grouped by work center",
            trigger: ".o_med_aps_workorder_timeline .vis-label:contains('Tour Press')",
        },
        {
            content: "The work orders of a late order are highlighted",
            trigger: ".vis-item.o_med_aps_wo.o_med_aps_late",
        },
        {
            content: "A locked work order is marked",
            trigger: ".vis-item.o_med_aps_wo.o_med_aps_locked",
        },
        {
            content: "The changeover before a work order is visible",
            trigger: ".vis-item.o_med_aps_wo.o_med_aps_has_setup:contains('+25 min')",
        },
        {
            content: "The legend explains the colours",
            trigger: ".o_med_aps_timeline_legend",
        },
        {
            content: "Hover a work order for its details",
            trigger: ".vis-item.o_med_aps_wo.o_med_aps_has_setup .vis-item-content",
            run: "hover",
        },
        {
            content: "The tooltip shows the changeover and the due date",
            trigger: ".vis-tooltip:contains('Changeover: 25 min'):contains('Due:')",
        },
        {
            content: "Click a work order to open it",
            trigger: ".vis-item.o_med_aps_wo.o_med_aps_locked .vis-item-content",
            run: "click",
        },
        {
            content: "The work order form is open",
            trigger: ".o_breadcrumb:contains('Pressing')",
        },
        // 2. replan two orders from the manufacturing order list
        {
            content: "Go to the manufacturing orders",
            trigger: ".o_form_view",
            run() {
                window.location.href = "/odoo/manufacturing";
            },
            expectUnloadPage: true,
        },
        {
            content: "The list shows the planning columns",
            trigger: ".o_list_view th[data-name=aps_planned_finish]",
        },
        {
            content: "Search the tour orders",
            trigger: ".o_searchview_input",
            run: "edit TOUR-APS",
        },
        {
            content: "Search by manufacturing order (name or source)",
            trigger: ".o_searchview_autocomplete .o-dropdown-item:contains('Manufacturing Order')",
            run: "click",
        },
        {
            content: "The search is applied",
            trigger: ".o_searchview_facet:contains('TOUR-APS')",
        },
        {
            content: "Only the two tour orders are listed",
            trigger: ".o_pager_value:contains('1-2')",
        },
        {
            content: "The late order shows its tardiness",
            trigger: ".o_data_row:contains('TOUR-APS-1') .o_data_cell[name=aps_tardiness_display]:contains('5.0 h')",
        },
        {
            content: "Select both orders",
            trigger: "thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Two orders are selected",
            trigger: ".o_selection_box:contains(2)",
        },
        {
            content: "Open the actions menu",
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Replan the selection",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Plan with APS')",
            run: "click",
        },
        {
            content: "The plan run is created and shown",
            trigger: ".o_form_view .o_field_widget[name=state]",
        },
        {
            content: "The run is queued for the planning scheduled action",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Queued')",
        },
        {
            content: "A queued run offers no Start button (the scheduled action starts it)",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_start]))",
        },
        // 3. the run form follows the run without a reload
        {
            content: "Another session cancels the run on the server",
            trigger: ".o_form_view .oe_title h1",
            async run() {
                window.medApsSamePage = true;
                const [resId] = await rpc("/web/dataset/call_kw/med.aps.run/search", {
                    model: "med.aps.run",
                    method: "search",
                    args: [[["state", "=", "queued"]]],
                    kwargs: { limit: 1, order: "id desc" },
                });
                await rpc("/web/dataset/call_kw/med.aps.run/action_cancel", {
                    model: "med.aps.run",
                    method: "action_cancel",
                    args: [[resId]],
                    kwargs: {},
                });
            },
        },
        {
            content: "The form shows the new state by itself",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Cancelled')",
        },
        {
            content: "... and the page was not reloaded",
            trigger: ".o_form_view .alert-danger .o_field_widget[name=failure_reason]:contains('Cancelled by')",
            run() {
                if (!window.medApsSamePage) {
                    throw new Error("the run form was reloaded instead of updated");
                }
            },
        },
    ],
});

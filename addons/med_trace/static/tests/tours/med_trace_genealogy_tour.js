import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("med_trace_genealogy_tour", {
    url: "/odoo/action-stock.action_production_lot_form",
    steps: () => [
        {
            content: "Open the lot",
            trigger: ".o_data_row td:contains('TOUR-LOT-1')",
            run: "click",
        },
        {
            content: "The Upstream smart button shows a count",
            trigger: ".o_med_trace_upstream .o_stat_value:contains('0')",
        },
        {
            content: "Open the genealogy",
            trigger: "button.o_med_trace_genealogy_button",
            run: "click",
        },
        {
            content: "The genealogy graph is drawn",
            trigger: ".o_med_trace_genealogy svg.o_med_trace_graph",
        },
        {
            content: "The traced lot is in the graph",
            trigger: ".o_med_trace_genealogy svg text:contains('TOUR-LOT-1')",
        },
    ],
});

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("med_aps_panorama_tour", {
    steps: () => [
        {
            content: "The panorama counts the open orders",
            trigger: ".o_med_aps_panorama_summary .fs-3",
            run() {
                const open = parseInt(this.anchor.textContent, 10);
                if (!(open > 0)) {
                    throw new Error(`expected open orders, got ${this.anchor.textContent}`);
                }
                const rows = document.querySelectorAll(".o_med_aps_panorama_order");
                if (!rows.length || rows.length > open) {
                    throw new Error(`${rows.length} order rows for ${open} open orders`);
                }
            },
        },
        {
            content: "Work centers are listed with their load, busiest first",
            trigger: ".o_med_aps_panorama_workcenters .o_med_aps_panorama_workcenter",
            run() {
                const loads = [
                    ...document.querySelectorAll(".o_med_aps_panorama_workcenter .progress-bar"),
                ].map((bar) => parseFloat(bar.textContent));
                for (let i = 1; i < loads.length; i++) {
                    if (loads[i] > loads[i - 1]) {
                        throw new Error(`loads not sorted: ${loads.join(", ")}`);
                    }
                }
            },
        },
        {
            content: "The demo's plan run is shown",
            trigger: ".o_med_aps_panorama_run a",
        },
        {
            content: "Each order shows its health from the latest plan check",
            trigger: ".o_med_aps_panorama_order .o_med_aps_panorama_order_health i",
            run() {
                const rows = document.querySelectorAll(".o_med_aps_panorama_order");
                const cells = document.querySelectorAll(".o_med_aps_panorama_order_health i");
                if (cells.length !== rows.length) {
                    throw new Error(`${cells.length} health marks for ${rows.length} orders`);
                }
                for (const link of document.querySelectorAll(".o_med_aps_panorama_issue")) {
                    if (!link.textContent.trim()) {
                        throw new Error("a plan problem without its words");
                    }
                }
            },
        },
        {
            content: "Open the most urgent order",
            trigger: ".o_med_aps_panorama_order:first-child td:first-child",
            run: "click",
        },
        {
            content: "Its manufacturing order form opens",
            trigger: ".o_form_view .o_field_widget[name=product_id]",
        },
    ],
});

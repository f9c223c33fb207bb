import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("med_quality_spc_tour", {
    steps: () => [
        {
            content: "Open the control chart of the control point",
            trigger: "button[name='action_med_spc_chart']",
            run: "click",
        },
        {
            content: "The frozen baseline and its capability are shown",
            trigger: ".o_med_spc_chart .o_med_spc_baseline:contains('Marta Manager')",
        },
        {
            content: "The individuals chart is drawn",
            trigger: ".o_med_spc_chart canvas.o_med_spc_value_chart[style*='box-sizing']",
        },
        {
            content: "The moving range chart is drawn",
            trigger: ".o_med_spc_chart canvas.o_med_spc_range_chart[style*='box-sizing']",
        },
        {
            content: "The measurement beyond the control limit is marked",
            trigger: ".o_med_spc_violations li:contains('SPC-0011')",
        },
        {
            content: "Filter on the product",
            trigger: ".o_med_spc_chart select.o_med_spc_product",
            run: "selectByIndex 1",
        },
        {
            content: "The chart of the product still shows the violation",
            trigger: ".o_med_spc_violations li:contains('SPC-0011')",
        },
        {
            content: "Filter on a period without measurements",
            trigger: ".o_med_spc_chart input.o_med_spc_date_from",
            run() {
                // the tour helper "edit" does not handle an empty date input
                this.anchor.value = "2099-01-01";
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Nothing is plotted for that period",
            trigger: ".o_med_spc_chart .alert:contains('No recorded measurement matches')",
        },
    ],
});

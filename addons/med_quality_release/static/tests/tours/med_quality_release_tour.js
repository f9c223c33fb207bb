import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("med_quality_release_tour", {
    steps: () => [
        {
            content: "The lot is in quarantine",
            trigger: ".o_statusbar_status button[aria-checked='true']:contains('Quarantine')",
        },
        {
            content: "Open the electronic signature to release the lot",
            trigger: "button[name='action_med_quality_release']",
            run: "click",
        },
        {
            content: "The signature dialog shows the meaning",
            trigger: ".modal div[name='meaning']:contains('Released')",
        },
        {
            content: "Write the comment",
            trigger: ".modal div[name='comment'] textarea",
            run: "edit Released by the tour",
        },
        {
            content: "Enter the password again",
            trigger: ".modal div[name='password'] input",
            run: "edit qr_tour_manager",
        },
        {
            content: "Sign",
            trigger: ".modal button[name='action_sign']",
            run: "click",
        },
        {
            content: "The lot is released",
            trigger: ".o_statusbar_status button[aria-checked='true']:contains('Released')",
        },
        {
            content: "The signature is shown on the lot",
            trigger: "div[name='med_release_signature_id']:contains('Tour Manager')",
        },
    ],
});

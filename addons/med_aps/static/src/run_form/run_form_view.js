import { FormController } from "@web/views/form/form_controller";
import { formView } from "@web/views/form/form_view";
import { registry } from "@web/core/registry";
import { onWillUnmount } from "@odoo/owl";

export const RUN_UPDATE_NOTIFICATION = "med_aps.run/update";

/**
 * The plan run form reloads itself when the server says its run changed (state or progress
 * of a queued or running run, sent on Odoo's bus by the scheduled action), so a planner
 * watches a run without reloading the page. Unsaved edits are never thrown away.
 */
export class ApsRunFormController extends FormController {
    setup() {
        super.setup();
        const busService = this.env.services.bus_service;
        const onRunUpdate = (payload) => this.onRunUpdate(payload);
        busService.subscribe(RUN_UPDATE_NOTIFICATION, onRunUpdate);
        if (!busService.isActive) {
            busService.start();
        }
        onWillUnmount(() => busService.unsubscribe(RUN_UPDATE_NOTIFICATION, onRunUpdate));
    }

    async onRunUpdate({ ids }) {
        const root = this.model.root;
        if (!root || !root.resId || !(ids || []).includes(root.resId)) {
            return;
        }
        if (await root.isDirty()) {
            return;
        }
        await root.load();
    }
}

export const apsRunFormView = {
    ...formView,
    Controller: ApsRunFormController,
};

registry.category("views").add("med_aps_run_form", apsRunFormView);

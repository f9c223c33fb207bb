import { GraphModel } from "@web/views/graph/graph_model";
import { graphView } from "@web/views/graph/graph_view";
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

export const LOAD_MEASURE = "planned_hours";
export const CAPACITY_MEASURE = "available_hours";

/**
 * The work center load graph draws the capacity (available hours of the same work centers)
 * as a line over the planned-hours bars of each x-axis group, so an overloaded day shows
 * as bars above the line. Other measures are drawn as Odoo draws them.
 */
export class ApsWorkcenterLoadGraphModel extends GraphModel {
    async _fetchDataPoints(metaData, forceUseAllDataPoints = false) {
        this.apsCapacity = null;
        return super._fetchDataPoints(metaData, forceUseAllDataPoints);
    }

    /**
     * With the planned-hours bars, the capacity of their first grouping is read side by
     * side with them (each read computes the whole report on the server) and kept for the
     * line overlay before the bars are prepared.
     */
    async _loadDataPoints(metaData) {
        const { groupBy, measure, mode } = metaData;
        if (measure !== LOAD_MEASURE || mode !== "bar" || !groupBy.length) {
            return super._loadDataPoints(metaData);
        }
        const capacityMeta = {
            ...metaData,
            measure: CAPACITY_MEASURE,
            groupBy: groupBy.slice(0, 1),
            cumulatedStart: false,
        };
        const request = (this._apsCapacityRequest || 0) + 1;
        this._apsCapacityRequest = request;
        const [result, [capacityPoints]] = await Promise.all([
            super._loadDataPoints(metaData),
            super._loadDataPoints(capacityMeta),
        ]);
        if (request === this._apsCapacityRequest) {
            this.apsCapacity = Object.fromEntries(
                capacityPoints.map((point) => [
                    JSON.stringify(point.labels.slice(0, 1)),
                    point.value,
                ])
            );
        }
        return result;
    }

    _getLineOverlayDataset() {
        if (!this.apsCapacity || this.metaData.measure !== LOAD_MEASURE) {
            return super._getLineOverlayDataset();
        }
        const labels = this.data.labels || [];
        const data = labels.map((label) => this.apsCapacity[JSON.stringify([label])] || 0);
        return {
            label: _t("Capacity (available hours)"),
            data,
            currencyIds: new Array(data.length).fill(),
            trueLabels: labels,
        };
    }
}

export const apsWorkcenterLoadGraphView = {
    ...graphView,
    Model: ApsWorkcenterLoadGraphModel,
};

registry.category("views").add("med_aps_workcenter_load_graph", apsWorkcenterLoadGraphView);

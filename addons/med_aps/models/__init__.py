# isort: off
# first: med_aps_peg imports the services, which import mrp_production, whose model
# inherits this mixin
from . import med_aps_plan_result_mixin

# isort: on
from . import (
    med_aps_batch_family,
    med_aps_changeover_rule,
    med_aps_duration_learning,
    med_aps_execution_kpi,
    med_aps_holding_kpi,
    med_aps_lockable_mixin,
    med_aps_ontime_kpi,
    med_aps_panorama,
    med_aps_peg,
    med_aps_plan_check,
    med_aps_plan_check_request,
    med_aps_plan_event,
    med_aps_plan_issue,
    med_aps_plan_repair,
    med_aps_run,
    med_aps_run_simulation,
    med_aps_run_workcenter,
    med_aps_scenario,
    med_aps_scenario_line,
    med_aps_setup_family,
    med_aps_workorder_resource,
    mrp_production,
    mrp_routing_workcenter,
    mrp_workcenter,
    mrp_workcenter_load,
    mrp_workcenter_productivity,
    mrp_workorder,
    product_product,
    product_template,
    res_company,
    stock_lot,
    stock_move,
    stock_picking,
    stock_scrap,
)

from . import (
    med_aps_batch_family,
    med_aps_changeover_rule,
    med_aps_run,
    med_aps_run_workcenter,
    med_aps_setup_family,
    mrp_production,
    mrp_routing_workcenter,
    mrp_workcenter,
    mrp_workcenter_load,
    mrp_workorder,
    product_template,
    stock_lot,
)

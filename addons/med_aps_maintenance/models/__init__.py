from . import (  # noqa: F401
    maintenance_equipment,
    maintenance_equipment_category,
    maintenance_request,
    med_aps_operation_tool,
    med_aps_run,
    med_aps_workorder_resource,
    mrp_routing_workcenter,
    mrp_workcenter,
    mrp_workorder,
)

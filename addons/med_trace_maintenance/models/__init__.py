from . import (  # noqa: F401
    med_trace_equipment_use,
    mrp_production,
    mrp_workorder,
)

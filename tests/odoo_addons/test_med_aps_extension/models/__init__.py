from . import (
    mrp_production,  # noqa: F401
    mrp_workcenter,  # noqa: F401
    mrp_workorder,  # noqa: F401
    plan_write_event,  # noqa: F401
)

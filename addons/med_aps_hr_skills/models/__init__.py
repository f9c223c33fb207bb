from . import (
    hr_employee,  # noqa: F401
    hr_employee_skill,  # noqa: F401
    med_aps_operation_skill,  # noqa: F401
    med_aps_run,  # noqa: F401
    mrp_routing_workcenter,  # noqa: F401
    mrp_workorder,  # noqa: F401
)

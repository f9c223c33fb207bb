from . import (
    hr_employee,  # noqa: F401
    med_trace_workorder_operator,  # noqa: F401
    mrp_workorder,  # noqa: F401
)

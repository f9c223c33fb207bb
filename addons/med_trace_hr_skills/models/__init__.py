from . import (
    med_trace_workorder_operator,  # noqa: F401
    mrp_workorder,  # noqa: F401
)

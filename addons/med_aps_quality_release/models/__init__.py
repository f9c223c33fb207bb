from . import (
    med_aps_plan_check,  # noqa: F401
    med_aps_plan_issue,  # noqa: F401
    mrp_production,  # noqa: F401
    stock_lot,  # noqa: F401
)

from . import (
    med_aps_run,  # noqa: F401
    mrp_production,  # noqa: F401
    mrp_workcenter,  # noqa: F401
    mrp_workorder,  # noqa: F401
    plan_write_event,  # noqa: F401
    test_fixture,  # noqa: F401
)

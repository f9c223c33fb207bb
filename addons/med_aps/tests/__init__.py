from . import (
    test_demo,
    test_med_aps_hardening,
    test_med_aps_jobs,
    test_med_aps_material,
    test_med_aps_plan,
    test_med_aps_safety,
    test_med_aps_security,
    test_med_aps_stability,
    test_med_aps_triggers,
    test_mrp_production_list,
    test_tour,
    test_workcenter_load,
)

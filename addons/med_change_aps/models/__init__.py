from . import med_aps_plan_event, mrp_production

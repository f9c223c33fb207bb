from . import med_aps_replan_wizard

from . import med_aps_replan_wizard, med_aps_run_compare

from . import med_aps_run, sale_order, sale_order_line

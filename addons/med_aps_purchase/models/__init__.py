from . import med_aps_peg, med_aps_purchase_proposal, purchase_order_line

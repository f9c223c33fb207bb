from . import (
    med_change_impact_line,
    med_change_request,
    med_quality_nonconformance,
    med_signature,
    med_supplier_approval,
    mrp_bom,
    mrp_bom_line,
    mrp_production,
    mrp_routing_workcenter,
    product_category,
    stock_lot,
    stock_picking,
)

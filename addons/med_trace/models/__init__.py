from . import (
    ir_attachment,  # noqa: F401
    med_lot_hold,  # noqa: F401
    med_recall,  # noqa: F401
    med_recall_line,  # noqa: F401
    med_trace_demo,  # noqa: F401
    med_trace_job,  # noqa: F401
    med_trace_line,  # noqa: F401
    med_udi,  # noqa: F401
    mrp_production,  # noqa: F401
    product_template,  # noqa: F401
    stock_lot,  # noqa: F401
    stock_move,  # noqa: F401
    stock_move_line,  # noqa: F401
    stock_picking,  # noqa: F401
    stock_quant,  # noqa: F401
)

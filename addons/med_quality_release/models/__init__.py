from . import (
    ir_module_module,  # noqa: F401
    med_immutable_mixin,  # noqa: F401
    med_lot_release_log,  # noqa: F401
    med_quality_check,  # noqa: F401
    med_quality_nonconformance,  # noqa: F401
    med_quality_point,  # noqa: F401
    med_signature,  # noqa: F401
    med_signature_attempt,  # noqa: F401
    med_trail_chain,  # noqa: F401
    med_trail_chain_entry,  # noqa: F401
    mrp_production,  # noqa: F401
    mrp_workorder,  # noqa: F401
    product_category,  # noqa: F401
    stock_lot,  # noqa: F401
    stock_picking,  # noqa: F401
)

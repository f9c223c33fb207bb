from . import (
    mrp_production,  # noqa: F401
    stock_lot,  # noqa: F401
)

from . import (
    models,  # noqa: F401
    wizard,  # noqa: F401
)
from .models.stock_lot import drop_trace_functions


def uninstall_hook(env):
    """Drop the genealogy SQL functions created by ``stock.lot.init()``."""
    drop_trace_functions(env.cr)

from . import (
    models,  # noqa: F401
    wizard,  # noqa: F401
)
from .tools.genealogy_sql import drop_trace_functions


def uninstall_hook(env):
    """Drop the genealogy SQL functions created by ``stock.lot.init()``."""
    drop_trace_functions(env.cr)

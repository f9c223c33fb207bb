from . import (
    med_lot_hold_wizard,  # noqa: F401
    med_recall_wizard,  # noqa: F401
    med_trace_genealogy,  # noqa: F401
    med_udi_scan_wizard,  # noqa: F401
)

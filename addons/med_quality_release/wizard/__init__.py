from . import (
    med_quality_switching_wizard,  # noqa: F401
    med_signature_wizard,  # noqa: F401
    med_trail_chain_verification,  # noqa: F401
)

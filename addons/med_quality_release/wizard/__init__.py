from . import (
    med_signature_wizard,  # noqa: F401
    med_trail_chain_verification,  # noqa: F401
)

from . import (
    med_signature_wizard,  # noqa: F401
)

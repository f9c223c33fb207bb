from . import (
    models,  # noqa: F401
    report,  # noqa: F401
    wizard,  # noqa: F401
)

from . import (
    test_bridge,  # noqa: F401
)

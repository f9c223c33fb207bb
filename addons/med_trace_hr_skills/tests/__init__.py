from . import (
    test_dhr_operators,  # noqa: F401
)

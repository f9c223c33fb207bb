from . import (  # noqa: F401
    test_dhr_equipment,
)

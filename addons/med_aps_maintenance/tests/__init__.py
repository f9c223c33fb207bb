from . import (  # noqa: F401
    test_calibration_security,
    test_demo,
    test_tooling_plan,
)

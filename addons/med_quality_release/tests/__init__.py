from . import (
    test_iso2859,  # noqa: F401
    test_quality_checks,  # noqa: F401
    test_release_flow,  # noqa: F401
    test_signature,  # noqa: F401
    test_tour,  # noqa: F401
)

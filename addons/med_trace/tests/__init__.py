from . import (
    test_background_job,  # noqa: F401
    test_background_job_security,  # noqa: F401
    test_demo_story,  # noqa: F401
    test_dhr,  # noqa: F401
    test_genealogy,  # noqa: F401
    test_hold,  # noqa: F401
    test_recall,  # noqa: F401
    test_recall_security,  # noqa: F401
    test_security,  # noqa: F401
    test_security_hold,  # noqa: F401
    test_tour,  # noqa: F401
    test_udi,  # noqa: F401
)

from . import (
    test_audit_chain,  # noqa: F401
    test_demo_story,  # noqa: F401
    test_iso2859,  # noqa: F401
    test_quality_checks,  # noqa: F401
    test_quality_screens,  # noqa: F401
    test_release_flow,  # noqa: F401
    test_security_lot_state,  # noqa: F401
    test_security_signature,  # noqa: F401
    test_signature,  # noqa: F401
    test_signature_lockout,  # noqa: F401
    test_stock_paths,  # noqa: F401
    test_tour,  # noqa: F401
    test_uninstall_guard,  # noqa: F401
)

from . import (
    test_qualification_security,  # noqa: F401
    test_qualified_operators,  # noqa: F401
)

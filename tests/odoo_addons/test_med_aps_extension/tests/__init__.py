from . import test_extension  # noqa: F401

from . import test_extension, test_secondary_resources  # noqa: F401

from . import test_purchase_timing

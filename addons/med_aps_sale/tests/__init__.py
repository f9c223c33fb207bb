from . import test_promise_date

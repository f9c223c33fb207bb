from . import test_med_job

from . import test_med_job_mixin

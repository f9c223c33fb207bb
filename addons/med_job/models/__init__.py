from . import med_job_mixin

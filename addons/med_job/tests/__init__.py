# helpers for the tests of the addons built on med.job.mixin (common.py); the mechanism's
# own tests are in the test addon test_med_job

{  # noqa: B018
    "name": "med_job test",
    "summary": "Test-only: a job model built on med.job.mixin, processed per company.",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "med-aps",
    "depends": ["med_job"],
    "data": ["security/ir.model.access.csv", "data/ir_cron_data.xml"],
    "installable": True,
}

{
    "name": "med_aps extension test",
    "summary": "Test-only: extends the planning problem and observes the plan write.",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "med-aps",
    "depends": ["med_aps"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}

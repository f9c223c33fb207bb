{  # noqa: B018
    "name": "Medical Device Engineering Change Control",
    "summary": "Engineering change requests for BoMs, routings and suppliers with their "
    "impact, Engineering and QA approval by electronic signature (21 CFR Part 11), "
    "versions in effect from a date, and an approved supplier list that quarantines "
    "receipts from suppliers not approved",
    "version": "19.0.1.0.0",
    "category": "Manufacturing/Quality",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["mrp", "med_quality_release"],
    "data": [
        "security/med_change_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "views/med_change_request_views.xml",
        "views/med_supplier_approval_views.xml",
        "views/mrp_bom_views.xml",
        "views/mrp_production_views.xml",
        "views/product_category_views.xml",
        "views/med_quality_nonconformance_views.xml",
        "wizard/med_change_sign_wizard_views.xml",
        "report/report_dhr_templates.xml",
        "views/med_change_menus.xml",
    ],
    "demo": ["demo/med_change_demo.xml"],
    "external_dependencies": {"python": []},
    "installable": True,
}

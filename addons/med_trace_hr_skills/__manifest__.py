{  # noqa: B018
    "name": "Medical Device Traceability - Operator Qualifications",
    "summary": "The Device History Record names, per work order, the operators who worked "
    "and their qualification at that moment, recorded when the work order finishes",
    "version": "19.0.1.1.0",
    "category": "Supply Chain/Manufacturing",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["med_trace", "med_aps_hr_skills"],
    "data": [
        "security/ir.model.access.csv",
        "security/med_trace_hr_skills_security.xml",
        "views/mrp_workorder_views.xml",
        "report/report_dhr.xml",
    ],
    "external_dependencies": {"python": []},
    "installable": True,
    "auto_install": True,
}

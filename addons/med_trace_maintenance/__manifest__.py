{  # noqa: B018
    "name": "Medical Device Traceability - Maintenance Bridge",
    "summary": "The device history record names the equipment and tools each work order "
    "used, with their calibration status at the time of use",
    "version": "19.0.1.1.0",
    "category": "Supply Chain/Manufacturing",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["med_trace", "med_aps_maintenance"],
    "data": [
        "security/ir.model.access.csv",
        "views/med_trace_equipment_use_views.xml",
        "report/report_dhr.xml",
    ],
    "demo": [],
    "external_dependencies": {"python": []},
    "installable": True,
    "auto_install": True,
}

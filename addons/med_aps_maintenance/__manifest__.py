{  # noqa: B018
    "name": "Medical Device APS - Maintenance Bridge",
    "summary": "Plan tools and moulds beside the work centers, respect preventive "
    "maintenance, breakdowns and calibration due dates",
    "version": "19.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["med_aps", "maintenance"],
    "data": [
        "security/ir.model.access.csv",
        "security/med_aps_maintenance_security.xml",
        "views/maintenance_equipment_category_views.xml",
        "views/maintenance_equipment_views.xml",
        "views/mrp_routing_workcenter_views.xml",
        "views/med_aps_workorder_resource_views.xml",
    ],
    "demo": ["demo/med_aps_maintenance_demo.xml"],
    "external_dependencies": {"python": []},
    "installable": True,
    "auto_install": True,
}

{  # noqa: B018
    "name": "Medical Device APS - Qualified Operators",
    "summary": "Plan cleanroom operations with operators whose training is current: "
    "skills, levels and certification expiry from Employees Skills, working schedules "
    "from the employee's calendar",
    "version": "19.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["med_aps", "hr_skills"],
    "data": [
        "security/ir.model.access.csv",
        "views/mrp_routing_workcenter_views.xml",
    ],
    "demo": ["demo/med_aps_hr_skills_demo.xml"],
    "external_dependencies": {"python": []},
    "installable": True,
    "auto_install": True,
}

{  # noqa: B018
    "name": "Medical Device APS - Engineering Change Bridge",
    "summary": "Orders switched to a new BoM version by an engineering change are "
    "replanned through the plan events of the closed loop",
    "version": "19.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["med_aps", "med_change"],
    "data": [],
    "demo": [],
    "external_dependencies": {"python": []},
    "installable": True,
    "auto_install": True,
}

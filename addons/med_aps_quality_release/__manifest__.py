{  # noqa: B018
    "name": "Medical Device APS - Quality Release Bridge",
    "summary": "The scheduler counts only released lots as available material and plans "
    "the quality release lead time after the final operation",
    "version": "19.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["med_aps", "med_quality_release"],
    "data": [],
    "demo": [],
    "external_dependencies": {"python": []},
    "installable": True,
    "auto_install": True,
}

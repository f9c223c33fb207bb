{  # noqa: B018
    "name": "Medical Device APS - Sales Promise Dates",
    "summary": "Capable-to-promise: the earliest date a sale order line can be delivered "
    "with the current plan kept, its bill of materials, routing and material",
    "version": "19.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["med_aps", "sale_mrp"],
    "data": ["views/sale_order_views.xml"],
    "demo": [],
    "external_dependencies": {"python": []},
    "installable": True,
    "auto_install": True,
}

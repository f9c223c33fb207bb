{  # noqa: B018
    "name": "Medical Device APS - Purchase Bridge",
    "summary": "Purchase timing from the plan: advance, postpone, reduce or cancel messages "
    "on purchase order lines and one-click RFQs for the plan's shortages",
    "version": "19.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["med_aps", "purchase_stock"],
    "data": [
        "security/ir.model.access.csv",
        "security/med_aps_purchase_security.xml",
        "views/purchase_order_line_views.xml",
        "views/med_aps_purchase_proposal_views.xml",
    ],
    "demo": [],
    "external_dependencies": {"python": []},
    "installable": True,
    "auto_install": True,
}

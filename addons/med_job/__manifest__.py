{  # noqa: B018
    "name": "Medical Device Background Jobs",
    "summary": "One background-job mechanism over Odoo's scheduled actions: claim without "
    "double processing across workers, progress, cancel, retry, recovery of killed workers",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["base"],
    "data": [],
    "installable": True,
    "application": False,
}

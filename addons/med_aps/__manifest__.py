{
    "name": "Medical Device APS (finite-capacity planning)",
    "summary": "Finite-capacity scheduling of manufacturing orders with CP-SAT, "
    "written back into Odoo's own work orders",
    "version": "19.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "license": "LGPL-3",
    "author": "med-aps contributors",
    "website": "https://github.com/med-aps/med-aps",
    "depends": ["bus", "mrp", "web_timeline", "med_job"],
    "external_dependencies": {"python": ["ortools", "med_aps_engine"]},
    "data": [
        "security/med_aps_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "data/ir_actions_server_data.xml",
        "views/med_aps_run_views.xml",
        "views/med_aps_replan_wizard_views.xml",
        "views/med_aps_family_views.xml",
        "views/mrp_workcenter_views.xml",
        "views/mrp_routing_workcenter_views.xml",
        "views/product_template_views.xml",
        "views/mrp_production_views.xml",
        "views/menus.xml",
        "views/mrp_production_list_views.xml",
        "views/mrp_workorder_timeline_views.xml",
        "views/mrp_workcenter_load_views.xml",
        "views/med_aps_run_kpi_views.xml",
    ],
    "demo": [
        "demo/med_aps_demo_plant.xml",
        "demo/mrp_production_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "med_aps/static/src/**/*",
            # graph views are in Odoo's lazy bundle
            ("remove", "med_aps/static/src/workcenter_load/**/*"),
        ],
        "web.assets_backend_lazy": [
            "med_aps/static/src/workcenter_load/**/*",
        ],
        "web.assets_tests": [
            "med_aps/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}

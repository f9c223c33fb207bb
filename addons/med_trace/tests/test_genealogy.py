import csv
import io
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.med_trace import uninstall_hook

from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestGenealogy(MedTraceCommon):
    def _links(self, rows):
        return {
            (row["level"], row["lot_id"], row["parent_lot_id"]): row
            for row in rows
            if row["kind"] == "link"
        }

    def test_setup_is_real(self):
        self.assertEqual(self.mo_sub.state, "done")
        self.assertEqual(self.mo_fin.state, "done")
        self.assertEqual(self.delivery.state, "done")
        self.assertEqual(self._quant_qty(self.lot_r1), 4)
        self.assertEqual(self._quant_qty(self.lot_s1), 1)
        self.assertEqual(self._quant_qty(self.lot_f1), 1)

    def test_upstream_lots_all_levels(self):
        self.assertEqual(self.lot_f1._med_trace_lots("upstream"), self.lot_r1 | self.lot_s1)
        self.assertEqual(self.lot_s1._med_trace_lots("upstream"), self.lot_r1)
        self.assertFalse(self.lot_r1._med_trace_lots("upstream"))

    def test_downstream_lots_all_levels(self):
        self.assertEqual(self.lot_r1._med_trace_lots("downstream"), self.lot_s1 | self.lot_f1)
        self.assertEqual(self.lot_s1._med_trace_lots("downstream"), self.lot_f1)
        self.assertFalse(self.lot_f1._med_trace_lots("downstream"))

    def test_upstream_graph_exact_quantities(self):
        rows = self.lot_f1._med_trace_graph("upstream")
        links = self._links(rows)
        self.assertEqual(
            set(links), {(1, self.lot_s1.id, self.lot_f1.id), (2, self.lot_r1.id, self.lot_s1.id)}
        )
        s1 = links[1, self.lot_s1.id, self.lot_f1.id]
        self.assertEqual(s1["quantity"], 2.0, "2 S1 were consumed to make F1")
        self.assertEqual(s1["production_id"], self.mo_fin.id)
        self.assertEqual(s1["product_id"], self.sub.id)
        self.assertEqual(s1["uom"], self.uom_unit.id)
        r1 = links[2, self.lot_r1.id, self.lot_s1.id]
        self.assertEqual(r1["quantity"], 6.0, "6 R1 were consumed to make S1")
        self.assertEqual(r1["production_id"], self.mo_sub.id)
        receipts = [row for row in rows if row["kind"] == "receipt"]
        self.assertEqual(len(receipts), 1)
        self.assertEqual(receipts[0]["lot_id"], self.lot_r1.id)
        self.assertEqual(receipts[0]["level"], 2)
        self.assertEqual(receipts[0]["quantity"], 10.0)
        self.assertEqual(receipts[0]["partner_id"], self.supplier.id)
        self.assertEqual(receipts[0]["picking_id"], self.receipt.id)
        expected_keys = {
            "level", "lot_id", "product_id", "quantity", "uom", "production_id", "picking_id",
            "date", "location_id", "partner_id", "parent_lot_id",
        }  # fmt: skip
        for row in rows:
            self.assertTrue(expected_keys <= set(row), row)

    def test_downstream_graph_exact_quantities_and_whereabouts(self):
        rows = self.lot_r1._med_trace_graph("downstream")
        links = self._links(rows)
        self.assertEqual(
            set(links),
            {(1, self.lot_s1.id, self.lot_r1.id), (2, self.lot_f1.id, self.lot_s1.id)},
        )
        self.assertEqual(links[1, self.lot_s1.id, self.lot_r1.id]["quantity"], 3.0)
        self.assertEqual(links[2, self.lot_f1.id, self.lot_s1.id]["quantity"], 2.0)
        deliveries = [row for row in rows if row["kind"] == "delivery"]
        self.assertEqual(len(deliveries), 1)
        self.assertEqual(deliveries[0]["lot_id"], self.lot_f1.id)
        self.assertEqual(deliveries[0]["partner_id"], self.customer.id)
        self.assertEqual(deliveries[0]["picking_id"], self.delivery.id)
        self.assertEqual(deliveries[0]["quantity"], 1.0)
        self.assertEqual(deliveries[0]["level"], 2)
        on_hand = {row["lot_id"]: row["quantity"] for row in rows if row["kind"] == "stock"}
        self.assertEqual(on_hand, {self.lot_r1.id: 4.0, self.lot_s1.id: 1.0, self.lot_f1.id: 1.0})

    def test_trace_line_screen_and_counts(self):
        self.assertEqual(self.lot_s1.med_upstream_count, 1)
        self.assertEqual(self.lot_s1.med_downstream_count, 1)
        action = self.lot_s1.action_med_trace_upstream()
        lines = self.env["med.trace.line"].search(action["domain"])
        self.assertEqual(set(lines.mapped("direction")), {"upstream", "downstream"})
        self.assertEqual(action["context"]["search_default_upstream"], 1)
        link = lines.filtered(lambda line: line.kind == "link" and line.direction == "upstream")
        self.assertEqual(link.lot_id, self.lot_r1)
        self.assertEqual(link.reference, self.mo_sub.name)
        # refreshing replaces, never duplicates
        self.lot_s1.action_med_trace_downstream()
        self.assertEqual(len(self.env["med.trace.line"].search(action["domain"])), len(lines))

    def test_genealogy_screen_graph_and_exports(self):
        genealogy = self.env["med.trace.genealogy"].create({"lot_id": self.lot_s1.id})
        self.assertEqual(genealogy.upstream_count, 1)
        self.assertEqual(genealogy.downstream_count, 1)
        svg = str(genealogy.graph_svg)
        self.assertTrue(svg.startswith("<svg"))
        for name in ("R1", "S1", "F1", "St. Mary Hospital"):
            self.assertIn(name, svg)
        action = genealogy.action_export_csv()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        content = attachment.raw.decode("utf-8-sig")
        self.assertIn("R1", content)
        self.assertIn(self.mo_sub.name, content)
        action = genealogy.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        self.assertEqual(attachment.raw[:2], b"PK", "an XLSX file is a zip archive")

    def test_export_is_the_trace_on_screen(self):
        """The export writes the lines the screen shows (no second trace), and they are the
        same rows, in the same order, as a fresh trace."""
        genealogy = self.env["med.trace.genealogy"].create({"lot_id": self.lot_s1.id})
        fresh = self.env["med.trace.job"]._med_genealogy_file(self.lot_s1, "csv")[1]
        with patch.object(
            self.registry["stock.lot"],
            "_med_trace_graph",
            side_effect=AssertionError("the export traced again"),
        ):
            action = genealogy.action_export_csv()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        self.assertEqual(attachment.raw, fresh)

    def test_exports_show_times_in_the_user_time_zone(self):
        self.env.user.tz = "Asia/Shanghai"
        genealogy = self.env["med.trace.genealogy"].create({"lot_id": self.lot_s1.id})
        action = genealogy.action_export_csv()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        header, *rows = list(csv.reader(io.StringIO(attachment.raw.decode("utf-8-sig"))))
        self.assertEqual(header[-1], "Date (Asia/Shanghai)")
        line = genealogy.line_ids.filtered("date")[:1]
        self.assertTrue(line)
        local = fields.Datetime.context_timestamp(
            line.with_context(tz="Asia/Shanghai"), line.date
        ).strftime("%Y-%m-%d %H:%M:%S")
        self.assertIn(local, [row[-1] for row in rows])
        self.assertNotIn(fields.Datetime.to_string(line.date), [row[-1] for row in rows])

    def test_genealogy_screen_reads_as_a_title_and_depths(self):
        genealogy = self.env["med.trace.genealogy"].create({"lot_id": self.lot_s1.id})
        self.assertEqual(
            genealogy.display_name,
            f"Genealogy of {self.lot_s1.name} ({self.lot_s1.product_id.display_name})",
        )
        # grouping lists depths; it does not add up depths or quantities of other units
        fields_info = self.env["med.trace.line"].fields_get(
            ["level", "quantity"], ["aggregator", "string"]
        )
        self.assertFalse(fields_info["level"].get("aggregator"))
        self.assertFalse(fields_info["quantity"].get("aggregator"))
        self.assertEqual(fields_info["level"]["string"], "Depth")
        arch = self.env["med.trace.line"].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('expand="1"', arch)
        self.assertNotIn("sum=", arch)

    def test_rework_cycle_terminates_without_duplicates(self):
        # S1 is reworked: a new MO consumes the 1 F1 left and produces into S1 again
        rework = self._produce_without_bom(self.sub, 1, self.lot_s1, [(self.fin, 1)])
        self.assertEqual(rework.state, "done")
        self.assertEqual(self.lot_s1._med_trace_lots("upstream"), self.lot_r1 | self.lot_f1)
        self.assertEqual(self.lot_s1._med_trace_lots("downstream"), self.lot_f1)
        self.assertEqual(self.lot_f1._med_trace_lots("downstream"), self.lot_s1)
        rows = self.lot_f1._med_trace_graph("upstream")
        keys = [
            (row["parent_lot_id"], row["lot_id"], row["production_id"])
            for row in rows
            if row["kind"] == "link"
        ]
        self.assertEqual(len(keys), len(set(keys)), "no duplicated link")
        self.assertIn((self.lot_s1.id, self.lot_f1.id, rework.id), keys)
        self.assertIn((self.lot_f1.id, self.lot_s1.id, self.mo_fin.id), keys)

    def test_transfer_location_chain(self):
        shelf = self.env["stock.location"].create(
            {"name": "Quarantine shelf", "location_id": self.stock_location.id}
        )
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.stock_location.id,
                "location_dest_id": shelf.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.fin.id,
                            "product_uom_qty": 1,
                            "location_id": self.stock_location.id,
                            "location_dest_id": shelf.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        rows = self.lot_f1._med_trace_graph("downstream")
        transfers = [row for row in rows if row["kind"] == "transfer"]
        self.assertEqual(len(transfers), 1)
        self.assertEqual(transfers[0]["location_src_id"], self.stock_location.id)
        self.assertEqual(transfers[0]["location_id"], shelf.id)
        self.assertEqual(transfers[0]["picking_id"], picking.id)
        on_hand = [(row["location_id"], row["quantity"]) for row in rows if row["kind"] == "stock"]
        self.assertEqual(on_hand, [(shelf.id, 1.0)])

    def test_unbuild_links_lots(self):
        unbuild = self.env["mrp.unbuild"].create(
            {
                "product_id": self.fin.id,
                "bom_id": self.bom_fin.id,
                "mo_id": self.mo_fin.id,
                "product_qty": 1,
                "lot_id": self.lot_f1.id,
            }
        )
        unbuild.action_unbuild()
        self.assertEqual(unbuild.state, "done")
        rows = self.lot_f1._med_trace_graph("downstream")
        links = [row for row in rows if row["kind"] == "link" and row["level"] == 1]
        self.assertEqual(
            [(row["lot_id"], row["unbuild_id"], row["quantity"]) for row in links],
            [(self.lot_s1.id, unbuild.id, 1.0)],
            "unbuilding F1 gives back 1 S1",
        )
        self.assertIn(self.lot_f1, self.lot_s1._med_trace_lots("upstream"))

    def test_trace_functions_dropped_and_recreated(self):
        def count_functions():
            self.env.cr.execute(
                "SELECT count(*) FROM pg_proc WHERE proname IN %s",
                [
                    (
                        "med_trace_walk_upstream",
                        "med_trace_walk_downstream",
                        "med_trace_graph_upstream",
                        "med_trace_graph_downstream",
                    )
                ],
            )
            return self.env.cr.fetchone()[0]

        self.assertEqual(count_functions(), 4)
        uninstall_hook(self.env)
        self.assertEqual(count_functions(), 0)
        self.env["stock.lot"].init()
        self.assertEqual(count_functions(), 4)
        self.assertEqual(self.lot_f1._med_trace_lots("upstream"), self.lot_r1 | self.lot_s1)
        with self.assertRaisesRegex(UserError, "Unknown trace direction sideways"):
            self.lot_f1._med_trace_graph("sideways")

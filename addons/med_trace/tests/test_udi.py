import datetime
import io

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.pdf import PdfReader

from ..tools import datamatrix, gs1
from .common import MedTraceCommon


@tagged("post_install", "-at_install")
class TestUdi(MedTraceCommon):
    def setUp(self):
        super().setUp()
        self.lot_f1.write(
            {
                "med_production_date": datetime.date(2026, 11, 20),
                "expiration_date": datetime.datetime(2028, 11, 30, 12, 0),
            }
        )

    def test_build_and_round_trip(self):
        self.assertEqual(self.lot_f1.med_udi, "(01)09506000134352(11)261120(17)281130(10)F1")
        for udi in (
            self.lot_f1.med_udi,
            "0109506000134352112611201728113010F1",
            "]d20109506000134352112611201728113010F1",
            "\x1d0109506000134352112611201728113010F1",
        ):
            result = self.env["med.udi"].parse(udi)
            self.assertEqual(result["product"], self.fin, udi)
            self.assertEqual(result["lot"], self.lot_f1)
            self.assertEqual(result["gtin"], "09506000134352")
            self.assertEqual(result["production_date"], datetime.date(2026, 11, 20))
            self.assertEqual(result["expiry_date"], datetime.date(2028, 11, 30))
            self.assertEqual(result["lot_name"], "F1")
            self.assertFalse(result["serial"])
        self.assertEqual(self.env["med.udi"].build(self.lot_f1), self.lot_f1.med_udi)

    def test_serial_with_fnc1_and_end_of_month(self):
        pump = self._create_product(
            "Infusion pump", "PUMP", tracking="serial", gtin="4006381333931"
        )
        serial = self._create_lot(pump, "SN0001")
        self.assertEqual(pump.med_gtin, "04006381333931", "stored as GTIN-14")
        self.assertEqual(serial.med_udi, "(01)04006381333931(21)SN0001")
        result = self.env["med.udi"].parse("]d2010400638133393110LOTX\x1d21SN0001\x1d17270200")
        self.assertEqual(result["lot"], serial, "the serial (21) identifies the unit")
        self.assertEqual(result["lot_name"], "LOTX")
        self.assertEqual(result["serial"], "SN0001")
        self.assertEqual(result["expiry_date"], datetime.date(2027, 2, 28), "DD=00: end of month")

    def test_barcode_used_when_no_gtin(self):
        product = self._create_product("Gauze", "GAUZE")
        product.barcode = "4006381333931"
        lot = self._create_lot(product, "G1")
        self.assertEqual(lot.med_udi, "(01)04006381333931(10)G1")
        self.assertEqual(self.env["med.udi"].parse(lot.med_udi)["lot"], lot)

    def test_malformed_udi_messages(self):
        udi = self.env["med.udi"]
        cases = [
            (
                "(01)09506000134353(10)F1",
                r"UDI part \(01\): the GTIN 09506000134353 has a wrong check digit \(expected 2\)",
            ),
            (
                "(01)00000000000017(10)F1",
                r"UDI part \(01\): no product has the GTIN 00000000000017",
            ),
            (
                "(01)09506000134352(10)NOPE",
                r"UDI part \(10\): lot NOPE does not exist for product",
            ),
            (
                "(01)09506000134352(21)NOPE",
                r"UDI part \(21\): serial number NOPE does not exist",
            ),
            (
                "(01)09506000134352(17)281340(10)F1",
                r"UDI part \(17\): 281340 is not a valid expiry date",
            ),
            (
                "(01)09506000134352(11)270230(10)F1",
                r"UDI part \(11\): 270230 is not a valid production date",
            ),
            (
                "(01)0950600013435(10)F1",
                r"UDI part \(01\): 0950600013435 is not a valid GTIN",
            ),
            (
                "(99)ABC",
                r"UDI part \(99\)",
            ),
            (
                "(10)F1",
                r"has no \(01\) GTIN part",
            ),
            (
                "",
                r"The UDI is empty",
            ),
        ]
        for value, message in cases:
            with self.subTest(value=value), self.assertRaisesRegex(UserError, message):
                udi.parse(value)

    def test_invalid_gtin_refused(self):
        with self.assertRaises(ValidationError) as error:
            self.raw.product_tmpl_id.med_gtin = "12345678"
        self.assertIn("The GTIN 12345678 of product", str(error.exception))
        self.assertFalse(self.raw.product_tmpl_id.med_gtin)

    def test_lot_name_not_gs1(self):
        lot = self._create_lot(self.fin, "LOT WITH SPACES AND MORE THAN 20")
        self.assertFalse(lot.med_udi)
        self.assertIn("20 GS1 characters", lot.med_udi_issue)

    def test_gs1_datamatrix_codewords_and_label(self):
        data = gs1.element_string_to_data("(01)09506000134352(10)AB\x1d")
        self.assertEqual(data, "0109506000134352" + "10AB\x1d")
        codewords = datamatrix.gs1_ascii_codewords("0109506000134352" + "10AB\x1d21X", 144)
        self.assertEqual(codewords[0], 232, "GS1 DataMatrix starts with FNC1")
        self.assertEqual(codewords[1:4], [131, 139, 180], "digit pairs 01 09 50")
        self.assertIn(232, codewords[1:], "FNC1 separates a variable field")
        self.assertEqual(len(codewords), 144)
        matrix = datamatrix.gs1_datamatrix_matrix(self.lot_f1._med_udi_data())
        self.assertEqual(len(matrix), 44)
        self.assertEqual(matrix[-1], [1] * 44, "solid finder pattern at the bottom")
        self.assertEqual([row[0] for row in matrix], [1] * 44, "solid finder pattern on the left")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("med_trace.action_report_udi_label", self.lot_f1.ids)[0]
            .decode()
        )
        self.assertIn("data:image/png;base64,", html)
        self.assertIn("(01)09506000134352(11)261120(17)281130(10)F1", html)

    def test_udi_labels_print_on_label_stock(self):
        report = self.env["ir.actions.report"]
        if report.get_wkhtmltopdf_state() != "ok":
            self.skipTest("wkhtmltopdf is not installed: no PDF to measure")
        # The page size comes from the paper format (wkhtmltopdf arguments), not from the
        # styles. wkhtmltopdf would fetch them from this server, which cannot answer while
        # the test holds its cursor: point it at a closed port so that it gives up at once.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        lots = self.lot_f1 | self.lot_s1
        pdf, content_type = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "med_trace.action_report_udi_label", lots.ids
        )
        self.assertEqual(content_type, "pdf")
        pages = PdfReader(io.BytesIO(pdf)).pages
        self.assertEqual(len(pages), 2, "one label per page")
        for page in pages:
            box = page.mediabox
            width_mm = float(box.width) * 25.4 / 72
            height_mm = float(box.height) * 25.4 / 72
            self.assertAlmostEqual(width_mm, 100, delta=1)
            self.assertAlmostEqual(height_mm, 50, delta=1)

from odoo import api, fields, models

from ..tools import gs1


class StockLot(models.Model):
    """The GS1 Unique Device Identifier of a lot and its DataMatrix."""

    _inherit = "stock.lot"

    med_production_date = fields.Date(
        string="Production Date",
        tracking=True,
        help="Date the lot or serial was manufactured: GS1 application identifier (11) of the "
        "UDI. Set from the manufacturing order when it is marked as done.",
    )
    med_udi = fields.Char(
        string="UDI",
        compute="_compute_med_udi",
        help="GS1 element string of the Unique Device Identifier: (01) GTIN, (11) production "
        "date, (17) expiry date, (10) lot or (21) serial number.",
    )
    med_udi_issue = fields.Char(string="UDI Issue", compute="_compute_med_udi")

    @api.depends(
        "name",
        "product_id.product_tmpl_id.med_gtin",
        "product_id.barcode",
        "med_production_date",
        "expiration_date",
    )
    def _compute_med_udi(self):
        for lot in self:
            lot.med_udi, lot.med_udi_issue = lot._med_build_udi()

    def _med_build_udi(self):
        """(element string or False, issue or False) for one lot."""
        self.ensure_one()
        if not self.product_id or not self.name:
            return False, False
        gtin = self.product_id.product_tmpl_id._med_get_gtin()
        if not gtin:
            return False, self.env._("The product has no valid GTIN.")
        if not gs1.is_valid_lot_value(self.name):
            return False, self.env._(
                "The lot/serial number must be at most 20 GS1 characters (letters, digits, "
                "punctuation) to be part of a UDI."
            )
        serial = self.product_id.tracking == "serial"
        expiry = (
            self.expiration_date
            and fields.Datetime.context_timestamp(self, self.expiration_date).date()
        )
        udi = gs1.build_element_string(
            gtin,
            production_date=self.med_production_date,
            expiry_date=expiry,
            lot=False if serial else self.name,
            serial=self.name if serial else False,
        )
        return udi, False

    def _med_udi_data(self):
        """Raw GS1 data (FNC1 as GS) carried by the DataMatrix of the lot."""
        self.ensure_one()
        return gs1.element_string_to_data(self.med_udi) if self.med_udi else ""

    def _med_udi_datamatrix_src(self):
        """``data:`` URI of the GS1 DataMatrix PNG (used by the label report)."""
        from ..tools.datamatrix import gs1_datamatrix_data_uri

        self.ensure_one()
        return gs1_datamatrix_data_uri(self._med_udi_data()) if self.med_udi else ""

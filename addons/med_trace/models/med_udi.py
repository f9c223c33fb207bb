from odoo import api, models
from odoo.exceptions import UserError

from ..tools import gs1


class MedUdi(models.AbstractModel):
    _name = "med.udi"
    _description = "GS1 UDI Utilities"

    @api.model
    def build(self, lot):
        """GS1 element string (with parentheses) of ``lot``; UserError if impossible."""
        udi, issue = lot._med_build_udi()
        if not udi:
            raise UserError(
                self.env._(
                    "No UDI for lot %(lot)s: %(issue)s",
                    lot=lot.display_name,
                    issue=issue or self.env._("no product or lot number"),
                )
            )
        return udi

    @api.model
    def parse(self, udi_string):
        """Parse a scanned or typed GS1 UDI.

        Accepts the human readable form with parentheses and the raw form
        (optional ``]d2``/``]C1``/``]Q3`` symbology prefix, FNC1 sent as the
        GS character). Odoo's GS1 nomenclature is not used: it has no rule
        for AI (11) and gives (10) and (21) the same type.

        :return: dict with ``product`` (product.product), ``lot`` (stock.lot),
            ``gtin``, ``production_date``, ``expiry_date``, ``lot_name``, ``serial``
        :raises UserError: naming the malformed part
        """
        try:
            parts = gs1.split_udi(udi_string)
        except gs1.Gs1Error as error:
            raise UserError(self._med_error_message(error, udi_string)) from error
        values = {}
        for ai, value in parts:
            if ai in values:
                raise UserError(
                    self.env._("UDI part (%(ai)s) appears twice in %(udi)s.", ai=ai, udi=udi_string)
                )
            values[ai] = value
        if "01" not in values:
            raise UserError(
                self.env._("The UDI %(udi)s has no (01) GTIN part.", udi=udi_string or "")
            )
        try:
            gtin = gs1.normalize_gtin(values["01"])
            production_date = values.get("11") and gs1.parse_date("11", values["11"])
            expiry_date = values.get("17") and gs1.parse_date("17", values["17"])
        except gs1.Gs1Error as error:
            raise UserError(self._med_error_message(error, udi_string)) from error
        product = self._med_find_product(gtin)
        if not product:
            raise UserError(
                self.env._("UDI part (01): no product has the GTIN %(gtin)s.", gtin=values["01"])
            )
        lot_name = values.get("10") or False
        serial = values.get("21") or False
        lot = self.env["stock.lot"]
        number = serial or lot_name
        if number:
            lot = self.env["stock.lot"].search(
                [
                    ("product_id", "=", product.id),
                    ("name", "=", number),
                    ("company_id", "in", [*self.env.companies.ids, False]),
                ],
                limit=1,
            )
            if not lot:
                raise UserError(
                    self.env._(
                        "UDI part (%(ai)s): %(kind)s %(number)s does not exist for product "
                        "%(product)s.",
                        ai="21" if serial else "10",
                        kind=self.env._("serial number") if serial else self.env._("lot"),
                        number=number,
                        product=product.display_name,
                    )
                )
        return {
            "product": product,
            "lot": lot,
            "gtin": gtin,
            "production_date": production_date or False,
            "expiry_date": expiry_date or False,
            "lot_name": lot_name,
            "serial": serial,
        }

    @api.model
    def _med_find_product(self, gtin14):
        templates = self.env["product.template"].search([("med_gtin", "=", gtin14)], limit=1)
        if templates:
            return templates.product_variant_ids[:1]
        candidates = {gtin14, gtin14.lstrip("0")}
        candidates |= {gtin14[1:], gtin14[2:], gtin14[6:]}
        products = self.env["product.product"].search([("barcode", "in", list(candidates))])
        for product in products:
            if gs1.is_valid_gtin(product.barcode) and gs1.normalize_gtin(product.barcode) == gtin14:
                return product
        return self.env["product.product"]

    def _med_error_message(self, error, udi_string):
        names = {
            "01": self.env._("GTIN"),
            "11": self.env._("production date"),
            "17": self.env._("expiry date"),
            "10": self.env._("lot"),
            "21": self.env._("serial number"),
        }
        if error.code == "empty":
            return self.env._("The UDI is empty.")
        if error.code == "syntax":
            return self.env._(
                "The UDI %(udi)s is not a GS1 element string: expected (AI)value parts.",
                udi=udi_string,
            )
        if error.code == "unknown_ai":
            return self.env._(
                "UDI part (%(ai)s) at %(value)s is not a UDI application identifier "
                "(expected 01, 11, 17, 10 or 21).",
                ai=error.ai,
                value=error.value,
            )
        if error.code == "check_digit":
            return self.env._(
                "UDI part (01): the GTIN %(gtin)s has a wrong check digit (expected %(digit)s).",
                gtin=error.value,
                digit=gs1.gtin_check_digit(error.value[:-1]),
            )
        if error.code == "date":
            return self.env._(
                "UDI part (%(ai)s): %(value)s is not a valid %(name)s (YYMMDD, DD may be 00).",
                ai=error.ai,
                value=error.value,
                name=names.get(error.ai, error.ai),
            )
        return self.env._(
            "UDI part (%(ai)s): %(value)s is not a valid %(name)s.",
            ai=error.ai,
            value=error.value,
            name=names.get(error.ai, error.ai),
        )

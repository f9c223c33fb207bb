"""Pure GS1 helpers: GTIN check digits and UDI element strings.

Nothing here imports Odoo; the ``med.udi`` model wraps these helpers and
turns :class:`Gs1Error` into user-facing errors.
"""

import calendar
import datetime
import re

GS = "\x1d"
SYMBOLOGY_PREFIXES = ("]d2", "]C1", "]Q3", "]e0", "]J1")
# AI -> (fixed length or None for variable, max length)
UDI_AIS = {
    "01": (14, 14),
    "11": (6, 6),
    "17": (6, 6),
    "10": (None, 20),
    "21": (None, 20),
}
# GS1 AI encodable character set 82 (letters, digits and some punctuation)
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$")


class Gs1Error(ValueError):
    """A malformed part of a GS1 string; ``ai`` names the part."""

    def __init__(self, ai, code, value=""):
        super().__init__(ai, code, value)
        self.ai = ai
        self.code = code
        self.value = value


def gtin_check_digit(digits):
    """Check digit for the GTIN body ``digits`` (all digits but the last)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        total += int(char) * (3 if index % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def normalize_gtin(value):
    """Return the GTIN-14 of ``value`` (GTIN-8/12/13/14) or raise Gs1Error."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise Gs1Error("01", "format", value)
    if gtin_check_digit(value[:-1]) != value[-1]:
        raise Gs1Error("01", "check_digit", value)
    return value.zfill(14)


def is_valid_gtin(value):
    try:
        normalize_gtin(value)
    except Gs1Error:
        return False
    return True


def format_date(value):
    return value.strftime("%y%m%d") if value else ""


def parse_date(ai, value):
    """GS1 YYMMDD to a date; DD=00 means the last day of the month."""
    if len(value) != 6 or not value.isdigit():
        raise Gs1Error(ai, "date", value)
    year, month, day = int(value[:2]), int(value[2:4]), int(value[4:])
    # GS1 General Specifications 7.12: century window of -49/+50 years
    this_year = datetime.date.today().year
    century = this_year // 100 * 100
    full_year = century + year
    if full_year - this_year > 50:
        full_year -= 100
    elif this_year - full_year > 49:
        full_year += 100
    if not 1 <= month <= 12:
        raise Gs1Error(ai, "date", value)
    if day == 0:
        day = calendar.monthrange(full_year, month)[1]
    try:
        return datetime.date(full_year, month, day)
    except ValueError as error:
        raise Gs1Error(ai, "date", value) from error


def build_element_string(gtin14, production_date=None, expiry_date=None, lot=None, serial=None):
    """GS1 element string with parentheses, AIs in the UDI order."""
    parts = ["(01)%s" % gtin14]
    if production_date:
        parts.append("(11)%s" % format_date(production_date))
    if expiry_date:
        parts.append("(17)%s" % format_date(expiry_date))
    if lot:
        parts.append("(10)%s" % lot)
    if serial:
        parts.append("(21)%s" % serial)
    return "".join(parts)


def element_string_to_data(element_string):
    """Parenthesised element string to the raw data carried by a GS1 symbol
    (FNC1 written as GS after each variable-length field except the last)."""
    fields = re.findall(r"\((\d{2})\)([^(]*)", element_string)
    chunks = []
    for index, (ai, value) in enumerate(fields):
        chunks.append(ai + value)
        if UDI_AIS.get(ai, (None,))[0] is None and index < len(fields) - 1:
            chunks.append(GS)
    return "".join(chunks)


def is_valid_lot_value(value):
    return bool(value) and len(value) <= 20 and bool(_CSET82.match(value))


def split_udi(udi_string):
    """Split a scanned or typed UDI into an ordered list of (ai, value).

    Accepts the parenthesised human-readable form and the raw scanner form
    (optional symbology identifier such as ``]d2``, FNC1 transmitted as GS,
    literal ``<GS>`` or ``\\x1d``).
    """
    text = (udi_string or "").strip()
    if not text:
        raise Gs1Error("", "empty")
    for prefix in SYMBOLOGY_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    text = text.replace("<GS>", GS).replace("\\x1d", GS).replace("<FNC1>", GS)
    text = text.lstrip(GS)
    if text.startswith("("):
        result = []
        matches = list(re.finditer(r"\((\d{2,4})\)([^(]*)", text))
        if not matches or "".join(m.group(0) for m in matches) != text.replace(GS, ""):
            raise Gs1Error("", "syntax", text)
        for match in matches:
            ai, value = match.group(1), match.group(2).replace(GS, "")
            if ai not in UDI_AIS:
                raise Gs1Error(ai, "unknown_ai", value)
            _check_length(ai, value)
            result.append((ai, value))
        return result
    result = []
    position = 0
    while position < len(text):
        ai = text[position : position + 2]
        if ai not in UDI_AIS:
            raise Gs1Error(ai, "unknown_ai", text[position:])
        fixed, _max_length = UDI_AIS[ai]
        position += 2
        if fixed:
            value = text[position : position + fixed]
            position += fixed
            if text[position : position + 1] == GS:
                position += 1
        else:
            end = text.find(GS, position)
            end = len(text) if end == -1 else end
            value = text[position:end]
            position = end + 1
        _check_length(ai, value)
        result.append((ai, value))
    return result


def _check_length(ai, value):
    fixed, max_length = UDI_AIS[ai]
    if fixed and (len(value) != fixed or not value.isdigit()):
        raise Gs1Error(ai, "date" if ai in ("11", "17") else "format", value)
    if not fixed and not is_valid_lot_value(value):
        raise Gs1Error(ai, "format", value)
    if len(value) > max_length:
        raise Gs1Error(ai, "format", value)

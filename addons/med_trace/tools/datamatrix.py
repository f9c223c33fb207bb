"""GS1 DataMatrix (ECC 200) rendering on top of reportlab.

reportlab ships an ECC 200 DataMatrix writer (fixed 44x44 symbol, C40
encodation). A GS1 DataMatrix must start with the FNC1 codeword and carry
FNC1 as field separator, which the stock writer cannot express, so the data
codewords are produced here in ASCII encodation (digit pairs compacted,
FNC1 = 232) and the matrix placement, Reed-Solomon and drawing are reused.
"""

import base64
import io

from PIL import Image, ImageDraw
from reportlab.graphics.barcode.ecc200datamatrix import ECC200DataMatrix

from .gs1 import GS

FNC1 = 232
PAD = 129


def gs1_ascii_codewords(data, capacity):
    """Data codewords (ASCII encodation) for the GS1 data string ``data``.

    ``data`` is the raw GS1 data: AIs and values, GS between a variable
    length field and the next one. The symbol starts with FNC1.
    """
    codewords = [FNC1]
    index = 0
    while index < len(data):
        char = data[index]
        pair = data[index : index + 2]
        if len(pair) == 2 and pair.isdigit():
            codewords.append(130 + int(pair))
            index += 2
            continue
        if char == GS:
            codewords.append(FNC1)
        elif ord(char) < 128:
            codewords.append(ord(char) + 1)
        else:
            raise ValueError("Character %r cannot be encoded in a GS1 DataMatrix" % char)
        index += 1
    if len(codewords) > capacity:
        raise ValueError("Too much data for the data matrix")
    if len(codewords) < capacity:
        codewords.append(PAD)
        while len(codewords) < capacity:
            position = len(codewords) + 1
            pseudo_random = ((149 * position) % 253) + 1
            value = PAD + pseudo_random
            codewords.append(value if value <= 254 else value - 254)
    return codewords


class Gs1DataMatrix(ECC200DataMatrix):
    """ECC 200 symbol (44x44 modules) carrying GS1 data."""

    def validate(self):
        self.valid = 1
        self.validated = self.value

    def _encode_c40(self, value):
        return gs1_ascii_codewords(value, self.cw_data)


def gs1_datamatrix_matrix(data):
    """Module matrix (list of rows, top row first, 1 = dark) for GS1 ``data``."""
    symbol = Gs1DataMatrix(value=data)
    symbol.validate()
    rows = list(symbol.encode())
    rows.reverse()  # reportlab keeps the bottom row first
    return [[1 if module else 0 for module in row] for row in rows]


def gs1_datamatrix_png(data, module_size=4):
    """PNG bytes of a GS1 DataMatrix for the raw GS1 data string."""
    matrix = gs1_datamatrix_matrix(data)
    quiet = 2
    size = (len(matrix) + 2 * quiet) * module_size
    image = Image.new("1", (size, size), 1)
    draw = ImageDraw.Draw(image)
    for row_index, row in enumerate(matrix):
        for col_index, module in enumerate(row):
            if module:
                x = (col_index + quiet) * module_size
                y = (row_index + quiet) * module_size
                draw.rectangle([x, y, x + module_size - 1, y + module_size - 1], fill=0)
    stream = io.BytesIO()
    image.save(stream, format="PNG")
    return stream.getvalue()


def gs1_datamatrix_data_uri(data, module_size=4):
    return (
        "data:image/png;base64,%s"
        % base64.b64encode(gs1_datamatrix_png(data, module_size)).decode()
    )

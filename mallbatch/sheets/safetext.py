"""The one gate every customer- or seller-sourced string passes before it is written to a sheet.

Text such as ``=HYPERLINK(...)`` in an order memo becomes a live formula when the
output workbook is opened, or when a seller re-edits a cell (OWASP "CSV injection",
CWE-1236).  Prefixing ``'`` keeps it text in Excel even after F2+Enter.  Numeric
columns must not go through here: "-500" would be prefixed too.
"""

from __future__ import annotations

import re

EXCEL_MAX_CHARS = 32767
# openpyxl refuses these control characters; lone surrogates and U+FFFE/U+FFFF are not XML either.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> str:
    """Return ``value`` as text that is legal in xlsx and never evaluated as a formula."""
    text = _ILLEGAL.sub("", "" if value is None else str(value))
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text[:EXCEL_MAX_CHARS]


def unescape_text(text: str) -> str:
    """Undo :func:`safe_text`'s quote when a workbook mallbatch wrote is read back."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text

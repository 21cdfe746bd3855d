"""A small XLSX writer: the subset of XlsxWriter's API that mallbatch uses, ~6x faster.

XlsxWriter spends ~20 µs of Python per cell, so a 100k-row × 10-column result workbook
took 17 s.  Here a written cell is only escaped (when its text needs it) and kept per
row; at close the rows are sorted and streamed into a deflated zip as XML.
Strings are inline (``t="inlineStr"``): measured against a shared-strings table on 1M cells,
inline writes 25% faster with half the peak memory and reads back as fast with calamine.
"""

from __future__ import annotations

import math
import re
import string
import zipfile
from datetime import datetime, timedelta
from typing import IO, Any

MAX_CHARS = 32767  # Excel's limit for one cell
MAX_ROWS = 1_048_576  # rows per sheet
COMPRESS_LEVEL = 3  # measured on 1M cells: level 1 is 10% bigger and no faster, level 6 30% smaller but 0.7 s slower
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EPOCH = datetime(1899, 12, 31)
# One cheap search (plus a look for "_x") decides whether a string needs escaping at all: most do not.
_NEEDS_ESCAPE = re.compile('[&<>"\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not XML 1.0
_OOXML_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")  # Excel reads "_x0041_" as "A" unless written "_x005F_x0041_"
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")
_FORMAT_KEYS = {"bold", "italic", "bg_color", "font_color", "border", "text_wrap", "valign", "num_format"}
_BUILTIN_NUM_FMTS = {"General": 0, "@": 49}
_VALIGN = {"top": "top", "vcenter": "center", "bottom": "bottom"}
_SELECTED, _HIDDEN = ' tabSelected="1"', ' state="hidden"'
_CELL_TEXT, _CELL_END = ' t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"


def _esc(text: str) -> str:
    """Escape for XML element text; CR as a reference so XML parsers do not turn it into LF."""
    if _NEEDS_ESCAPE.search(text) is None and "_x" not in text:
        return text
    text = _ILLEGAL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _OOXML_ESCAPE.sub(r"_x005F_\1", text.replace('"', "&quot;").replace("\r", "&#13;"))


def _attr(text: str) -> str:
    """Escape for an attribute value, where a literal newline or tab would become a space."""
    return _esc(text).replace("\n", "&#10;").replace("\t", "&#9;")


_AZ = string.ascii_uppercase
_COLS = [*_AZ, *(a + b for a in _AZ for b in _AZ), *(a + b + c for a in _AZ for b in _AZ for c in _AZ)][:16384]  # A … XFD


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (how Excel names a 0-based column)."""
    return _COLS[index]


def _ref(row: int, col: int, absolute: bool = False) -> str:
    return f"${_COLS[col]}${row + 1}" if absolute else f"{_COLS[col]}{row + 1}"


class Format:
    """A cell style; its cellXfs index is fixed at creation, so a cell stores only ``s="n"``."""

    def __init__(self, props: dict[str, Any], index: int) -> None:
        unknown = props.keys() - _FORMAT_KEYS
        if unknown:
            raise ValueError(f"unsupported format properties: {sorted(unknown)}")
        self.props = props
        self.attr = f' s="{index}"'  # on a cell
        self.col_attr = f' style="{index}"'  # on a <col>


class Worksheet:
    """Cells are kept by row and column, so any write order works (templates go column by column)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.hidden = False
        self.rows: dict[int, dict[int, str | tuple[str, str]]] = {}
        self.heights: dict[int, float] = {}
        self.cols: dict[int, tuple[float, Format | None]] = {}
        self.comments: dict[tuple[int, int], tuple[str, float, float]] = {}
        self.validations: list[str] = []
        self.frozen = (0, 0)
        self.filter: tuple[int, int, int, int] | None = None

    def _put(self, row: int, col: int, value: str | tuple[str, str]) -> None:
        """``value`` is escaped text for an unstyled string cell (the common case, kept small),
        else (style attribute or "", the rest of the cell's XML)."""
        cells = self.rows.get(row)
        if cells is None:
            cells = self.rows[row] = {}
        cells[col] = value

    def write_string(self, row: int, col: int, text: str, fmt: Format | None = None) -> None:
        text = _esc(text[:MAX_CHARS])
        self._put(row, col, text if fmt is None else (fmt.attr, _CELL_TEXT + text + _CELL_END))

    def write_number(self, row: int, col: int, number: float, fmt: Format | None = None) -> None:
        if not math.isfinite(number):
            raise ValueError(f"Excel cannot store {number!r}")
        self._put(row, col, (fmt.attr if fmt else "", f"><v>{number}</v></c>"))

    def write_datetime(self, row: int, col: int, value: datetime, fmt: Format) -> None:
        """An Excel serial day number; days after 1900-02-28 count Excel's phantom 1900-02-29."""
        serial = (value.replace(tzinfo=None) - _EPOCH) / timedelta(days=1)
        serial += serial > 59
        self.write_number(row, col, int(serial) if serial.is_integer() else serial, fmt)

    def write_blank(self, row: int, col: int, blank: None, fmt: Format | None = None) -> None:
        """A styled empty cell; without a style there is nothing to write (as in XlsxWriter)."""
        if fmt is not None:
            self._put(row, col, (fmt.attr, "/>"))

    def write_comment(self, row: int, col: int, text: str, options: dict[str, float] | None = None) -> None:
        opts = options or {}
        self.comments[(row, col)] = (text[:MAX_CHARS], opts.get("x_scale", 1), opts.get("y_scale", 1))

    def set_column(self, first: int, last: int, width: float, fmt: Format | None = None) -> None:
        """Width in characters, and the style of cells in these columns written without one."""
        for col in range(first, last + 1):
            self.cols[col] = (width, fmt)

    def set_row(self, row: int, height: float) -> None:
        self.heights[row] = height

    def freeze_panes(self, row: int, col: int) -> None:
        self.frozen = (row, col)

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self.filter = (first_row, first_col, last_row, last_col)

    def data_validation(self, first_row: int, first_col: int, last_row: int, last_col: int, options: dict[str, str]) -> None:
        """Only ``validate: list`` with a range ``source`` such as ``=_lists!$A$1:$A$9``."""
        if options.get("validate") != "list" or not options.get("source", "").startswith("="):
            raise ValueError("only list validations with a range source are supported")
        extra = "".join(f' {key}="{_attr(options[opt])}"' for key, opt in (("errorTitle", "error_title"), ("error", "error_message")) if opt in options)
        sqref = f"{_ref(first_row, first_col)}:{_ref(last_row, last_col)}"
        self.validations.append(
            f'<dataValidation type="list" errorStyle="{options.get("error_type", "stop")}" allowBlank="1" showInputMessage="1" '
            f'showErrorMessage="1"{extra} sqref="{sqref}"><formula1>{_esc(options["source"][1:])}</formula1></dataValidation>'
        )

    def hide(self) -> None:
        self.hidden = True

    def _write(self, out: IO[bytes], selected: bool) -> None:
        """Stream the sheet XML in chunks so a million cells never exist as one string."""
        rows, heights = self.rows, self.heights
        numbers = sorted(rows.keys() | heights.keys())
        if numbers and (numbers[0] < 0 or numbers[-1] >= MAX_ROWS):
            raise ValueError(f"sheet {self.name!r} has rows beyond Excel's {MAX_ROWS:,}")  # Excel would refuse the file
        used = [col for cells in rows.values() for col in (min(cells), max(cells))] or [0]
        dimension = f"{_ref(numbers[0] if numbers else 0, min(used))}:{_ref(numbers[-1] if numbers else 0, max(used))}"
        out.write(f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_REL}"><dimension ref="{dimension}"/>'
                  f'<sheetViews><sheetView workbookViewId="0"{_SELECTED if selected else ""}>'
                  f'{self._pane()}</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>{self._cols_xml()}<sheetData>'.encode())
        # A cell written without a style takes its column's.
        styles = [""] * (max(used) + 1)
        for col, (_, fmt) in self.cols.items():
            if fmt and col < len(styles):
                styles[col] = fmt.attr
        names, text, end = _COLS, _CELL_TEXT, _CELL_END
        chunk: list[str] = []
        for number in numbers:
            r = str(number + 1)
            height = heights.get(number)
            chunk.append(f'<row r="{r}" ht="{height}" customHt="1">' if height is not None else f'<row r="{r}">')
            chunk.extend([f'<c r="{names[col]}{r}"{styles[col]}{text}{value}{end}' if type(value) is str
                          else f'<c r="{names[col]}{r}"{value[0] or styles[col]}{value[1]}'
                          for col, value in sorted(rows.get(number, {}).items())])
            chunk.append("</row>")
            if len(chunk) > 50_000:
                out.write("".join(chunk).encode())
                chunk.clear()
        chunk.append("</sheetData>")
        if self.filter:
            r1, c1, r2, c2 = self.filter
            chunk.append(f'<autoFilter ref="{_ref(r1, c1)}:{_ref(r2, c2)}"/>')
        if self.validations:
            chunk.append(f'<dataValidations count="{len(self.validations)}">{"".join(self.validations)}</dataValidations>')
        chunk.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
        if self.comments:
            chunk.append('<legacyDrawing r:id="rId2"/>')
        chunk.append("</worksheet>")
        out.write("".join(chunk).encode())

    def _pane(self) -> str:
        row, col = self.frozen
        if not row and not col:
            return ""
        pane = "bottomRight" if row and col else "bottomLeft" if row else "topRight"
        split = (f' xSplit="{col}"' if col else "") + (f' ySplit="{row}"' if row else "")
        return f'<pane{split} topLeftCell="{_ref(row, col)}" activePane="{pane}" state="frozen"/><selection pane="{pane}"/>'

    def _cols_xml(self) -> str:
        """Consecutive columns with the same width and style become one <col> element."""
        runs: list[list[Any]] = []
        for col in sorted(self.cols):
            width, fmt = self.cols[col]
            if runs and runs[-1][1] == col - 1 and runs[-1][2:] == [width, fmt]:
                runs[-1][1] = col
            else:
                runs.append([col, col, width, fmt])
        items = "".join(
            f'<col min="{first + 1}" max="{last + 1}" width="{_width(width)}"{fmt.col_attr if fmt else ""} customWidth="1"/>'
            for first, last, width, fmt in runs
        )
        return f"<cols>{items}</cols>" if items else ""

    def _comments_xml(self) -> str:
        items = "".join(
            f'<comment ref="{_ref(row, col)}" authorId="0"><text><r><rPr><sz val="9"/><rFont val="Tahoma"/></rPr>'
            f'<t xml:space="preserve">{_esc(text)}</t></r></text></comment>'
            for (row, col), (text, _, _) in sorted(self.comments.items())
        )
        return f'{_HEAD}<comments xmlns="{_MAIN}"><authors><author>mallbatch</author></authors><commentList>{items}</commentList></comments>'

    def _vml(self, first_id: int) -> str:
        """The legacy VML shapes Excel needs to show notes; ids come in blocks of 1024 per idmap entry."""
        blocks = ",".join(str(first_id + n) for n in range(len(self.comments) // 1024 + 1))
        shapes = []
        for n, ((row, col), (_, x_scale, y_scale)) in enumerate(sorted(self.comments.items())):
            top = max(row - 1, 0)
            anchor = f"{col + 1}, 15, {top}, 10, {col + 1 + max(1, round(2 * x_scale))}, 15, {top + max(1, round(4 * y_scale))}, 4"
            shapes.append(
                f'<v:shape id="_x0000_s{1024 * first_id + 1 + n}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
                f'margin-top:1.5pt;width:{96 * x_scale:g}pt;height:{55.5 * y_scale:g}pt;z-index:{n + 1};visibility:hidden" '
                'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
                '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
                f'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{anchor}</x:Anchor>'
                f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
            )
        return (
            '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            f'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{blocks}"/>'
            '</o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
            '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>' + "".join(shapes) + "</xml>"
        )


def _width(chars: float) -> float:
    """Column width in characters → the stored width, as XlsxWriter computes it (7 px digits, 5 px padding)."""
    pixels = int(chars * 12 + 0.5) if chars < 1 else int(chars * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


def _rgb(color: str) -> str:
    return "FF" + color.lstrip("#").upper()


def _index(items: list[str], item: str) -> int:
    if item not in items:
        items.append(item)
    return items.index(item)


def _styles(formats: list[Format]) -> str:
    """styles.xml with fonts, fills, borders and number formats shared between formats."""
    fonts = ['<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>']
    fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
    borders = ["<border><left/><right/><top/><bottom/><diagonal/></border>"]
    thin = "<border>" + "".join(f'<{side} style="thin"><color auto="1"/></{side}>' for side in ("left", "right", "top", "bottom")) + "<diagonal/></border>"
    num_fmts: dict[str, int] = {}
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
    for fmt in formats:
        props = fmt.props
        color = f'<color rgb="{_rgb(props["font_color"])}"/>' if props.get("font_color") else ""
        font = f'<font>{"<b/>" if props.get("bold") else ""}{"<i/>" if props.get("italic") else ""}<sz val="11"/>{color}<name val="Calibri"/><family val="2"/></font>'
        fill = f'<fill><patternFill patternType="solid"><fgColor rgb="{_rgb(props["bg_color"])}"/><bgColor indexed="64"/></patternFill></fill>' if props.get("bg_color") else fills[0]
        code = props.get("num_format", "General")
        num_id = _BUILTIN_NUM_FMTS[code] if code in _BUILTIN_NUM_FMTS else num_fmts.setdefault(code, 164 + len(num_fmts))
        align = (f' vertical="{_VALIGN[props["valign"]]}"' if props.get("valign") else "") + (' wrapText="1"' if props.get("text_wrap") else "")
        xfs.append(
            f'<xf numFmtId="{num_id}" fontId="{_index(fonts, font)}" fillId="{_index(fills, fill)}" borderId="{_index(borders, thin if props.get("border") else borders[0])}" '
            'xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1"' + (f' applyAlignment="1"><alignment{align}/></xf>' if align else "/>")
        )
    numbers = "".join(f'<numFmt numFmtId="{num_id}" formatCode="{_attr(code)}"/>' for code, num_id in num_fmts.items())
    return (
        f'{_HEAD}<styleSheet xmlns="{_MAIN}">' + (f'<numFmts count="{len(num_fmts)}">{numbers}</numFmts>' if num_fmts else "")
        + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts><fills count="{len(fills)}">{"".join(fills)}</fills>'
        f'<borders count="{len(borders)}">{"".join(borders)}</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )


class Workbook:
    """Collects sheets and formats; everything is written to ``path`` at :meth:`close`."""

    def __init__(self, path: str, options: dict[str, Any] | None = None) -> None:
        self.path = path  # options are XlsxWriter's; strings are never converted here anyway
        self.formats: list[Format] = []
        self.sheets: list[Worksheet] = []

    def add_format(self, props: dict[str, Any] | None = None) -> Format:
        self.formats.append(Format(dict(props or {}), len(self.formats) + 1))
        return self.formats[-1]

    def add_worksheet(self, name: str | None = None) -> Worksheet:
        name = name or f"Sheet{len(self.sheets) + 1}"
        if len(name) > 31 or _BAD_NAME.search(name) or name.startswith("'") or name.endswith("'") or _ILLEGAL.search(name):
            raise ValueError(f"invalid sheet name: {name!r}")
        if name.lower() in {sheet.name.lower() for sheet in self.sheets}:
            raise ValueError(f"duplicate sheet name: {name!r}")
        self.sheets.append(Worksheet(name))
        return self.sheets[-1]

    def close(self) -> None:
        sheets = self.sheets or [self.add_worksheet()]
        active = next((n for n, sheet in enumerate(sheets) if not sheet.hidden), 0)
        sheets[active].hidden = False  # Excel needs one visible sheet
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
            zf.writestr("[Content_Types].xml", self._content_types())
            zf.writestr("_rels/.rels", _rels([("officeDocument", "xl/workbook.xml")]))
            zf.writestr("xl/workbook.xml", self._workbook_xml(active))
            zf.writestr("xl/_rels/workbook.xml.rels", _rels([("worksheet", f"worksheets/sheet{n}.xml") for n in range(1, len(sheets) + 1)] + [("styles", "styles.xml")]))
            zf.writestr("xl/styles.xml", _styles(self.formats))
            vml_id = 1
            for n, sheet in enumerate(sheets, 1):
                with zf.open(f"xl/worksheets/sheet{n}.xml", "w") as out:
                    sheet._write(out, n - 1 == active)
                sheet.rows.clear()
                if sheet.comments:
                    zf.writestr(f"xl/worksheets/_rels/sheet{n}.xml.rels", _rels([("comments", f"../comments{n}.xml"), ("vmlDrawing", f"../drawings/vmlDrawing{n}.vml")]))
                    zf.writestr(f"xl/comments{n}.xml", sheet._comments_xml())
                    zf.writestr(f"xl/drawings/vmlDrawing{n}.vml", sheet._vml(vml_id))
                    vml_id += len(sheet.comments) // 1024 + 1

    def _content_types(self) -> str:
        parts = [("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"), ("/xl/styles.xml", "spreadsheetml.styles+xml")]
        for n, sheet in enumerate(self.sheets, 1):
            parts.append((f"/xl/worksheets/sheet{n}.xml", "spreadsheetml.worksheet+xml"))
            if sheet.comments:
                parts.append((f"/xl/comments{n}.xml", "spreadsheetml.comments+xml"))
        return (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/><Default Extension="vml" ContentType="{_CT}vmlDrawing"/>'
            + "".join(f'<Override PartName="{name}" ContentType="{_CT}{kind}"/>' for name, kind in parts) + "</Types>"
        )

    def _workbook_xml(self, active: int) -> str:
        sheets = "".join(
            f'<sheet name="{_attr(sheet.name)}" sheetId="{n}"{_HIDDEN if sheet.hidden else ""} r:id="rId{n}"/>'
            for n, sheet in enumerate(self.sheets, 1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">{_esc(_quoted(sheet.name))}!'
            f"{_ref(sheet.filter[0], sheet.filter[1], True)}:{_ref(sheet.filter[2], sheet.filter[3], True)}</definedName>"
            for n, sheet in enumerate(self.sheets) if sheet.filter
        )
        return (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_REL}"><workbookPr/><bookViews>'
            f'<workbookView firstSheet="{active}" activeTab="{active}"/></bookViews><sheets>{sheets}</sheets>'
            + (f"<definedNames>{names}</definedNames>" if names else "") + '<calcPr calcId="191029"/></workbook>'
        )


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _rels(targets: list[tuple[str, str]]) -> str:
    items = "".join(f'<Relationship Id="rId{n}" Type="{_DOC_REL}/{kind}" Target="{target}"/>' for n, (kind, target) in enumerate(targets, 1))
    return f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{items}</Relationships>'

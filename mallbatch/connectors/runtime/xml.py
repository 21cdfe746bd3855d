"""XML answers as plain objects, for malls that do not speak JSON (11번가).

Parsed with defusedxml only (no entity expansion, no external references). Expat reads no
EUC-KR, so the bytes are decoded by the document's own declaration first (EUC-KR as CP949, its
superset, which Korean servers emit). An element with children becomes a dict; its children
with children are always lists (one record or many look alike), leaf children are strings;
namespaces are dropped. The root's name is kept under ``"_root"``.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding=["']([A-Za-z0-9._-]+)["'][^>]*\?>""")
WIDER = {"euc-kr": "cp949", "euc_kr": "cp949", "ks_c_5601-1987": "cp949"}


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def as_object(element: Element) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for child in element:
        name = local(child.tag)
        if len(child):
            found.setdefault(name, []).append(as_object(child))
        else:
            found.setdefault(name, child.text or "")
    return found


def decode_xml(content: bytes) -> dict[str, Any]:
    """The document as an object; ValueError when it is not well-formed XML in its declared encoding."""
    declared = DECLARATION.match(content)
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        text = content[declared.end() if declared else 0:].decode(WIDER.get(encoding, encoding))
        root = fromstring(text)
    except (LookupError, UnicodeDecodeError, ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not readable XML: {type(exc).__name__}") from None
    return {"_root": local(root.tag), **as_object(root)}

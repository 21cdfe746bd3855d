"""11번가's XML both ways (reference §3.1): EUC-KR responses with the ``ns2`` namespace, and
request bodies read with defusedxml in whatever encoding their declaration names.

expat cannot read multi-byte encodings such as EUC-KR itself, so a body is decoded here (the
XML declaration wins over the Content-Type charset) and parsed as text. Every text value must
also be representable in EUC-KR as the mall stores it: a character outside KS X 1001 is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring  # building output only, never parsing

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

NS = "http://skt.tmall.business.openapi.spring.service.client.domain/"
DECLARATION = '<?xml version="1.0" encoding="EUC-KR" standalone="yes"?>'
CONTENT_TYPE = "text/xml;charset=EUC-KR"
NO_DATA = "조회된 결과가 없습니다."
ACTION_ROOT = "ResultOrder"  # second-hand (11번가 guide pages): the root of an action's result_code/result_text

_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._-]+)", re.IGNORECASE)
_CODECS = {"euc-kr": "euc_kr", "euckr": "euc_kr", "ks_c_5601-1987": "euc_kr", "utf-8": "utf-8", "utf8": "utf-8"}


class XmlRefused(Exception):
    """The body cannot be read as the mall would read it; ``message`` is the Korean answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(Exception):
    """An answer that ends a request: rendered bytes and their HTTP status."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        super().__init__(status)
        self.body, self.status = body, status


def outside_euc_kr(text: str) -> str | None:
    """The first character EUC-KR (KS X 1001) cannot hold, or None.

    Python's euc_kr codec spells Hangul outside KS X 1001 (똠, 뷁) as an 8-byte jamo sequence;
    a Java EUC-KR server has no such character, so anything longer than two bytes counts as outside.
    """
    for char in text:
        try:
            if len(char.encode("euc_kr")) > 2:
                return char
        except UnicodeEncodeError:
            return char
    return None


def euc_kr_bytes(text: str) -> int:
    """Length in EUC-KR bytes (Hangul two, ASCII one): the unit of 11번가's text limits."""
    return len(text.encode("euc_kr"))


def parse(body: bytes, content_type: str) -> Element:
    """The request's root element, decoded as declared and parsed without entity expansion."""
    if not body.strip():
        raise XmlRefused("요청 본문(XML)이 비어 있습니다.")  # invented wording
    if "xml" not in content_type.lower():
        raise XmlRefused("Content-Type 은 text/xml 이어야 합니다.")  # invented wording
    declared = _DECLARED.match(body)
    charset = declared.group(1).decode("ascii") if declared else None
    if charset is None:
        found = _CHARSET.search(content_type)
        charset = found.group(1) if found else "euc-kr"  # reference §3.1: requests are euc-kr
    codec = _CODECS.get(charset.lower())
    if codec is None:
        raise XmlRefused(f"지원하지 않는 문자 인코딩입니다: {charset}")  # invented wording
    try:
        text = body.decode(codec)
    except UnicodeDecodeError:
        # invented: the real API's answer to undecodable bytes is not documented
        raise XmlRefused(f"요청 본문을 {charset.upper()}(으)로 읽을 수 없습니다. EUC-KR 로 표현할 수 없는 문자가 있는지 확인하세요.") from None
    try:
        root = fromstring(_DECLARATION.sub("", text, count=1))
    except (ParseError, DefusedXmlException):
        raise XmlRefused("요청 XML 형식이 올바르지 않습니다.") from None  # invented wording
    for element in root.iter():
        char = outside_euc_kr((element.text or "") + (element.tail or ""))
        if char is not None:
            # invented: the mall stores EUC-KR; a character it cannot hold is refused, element named
            raise XmlRefused(f"<{element.tag}> 에 EUC-KR 로 표현할 수 없는 문자(U+{ord(char):04X})가 있습니다.")
    return root


def text_of(root: Element, name: str) -> str:
    """The stripped text of the first ``name`` element under ``root`` ("" when absent)."""
    found = root.find(f".//{name}") if root.tag != name else root
    return (found.text or "").strip() if found is not None else ""


def _fill(parent: Element, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        SubElement(parent, name).text = "" if value is None else str(value)


def document(root: Element) -> bytes:
    # Stored text is EUC-KR by construction; echoed request values may not be: a character reference, never a crash.
    return (DECLARATION + tostring(root, encoding="unicode")).encode("euc_kr", errors="xmlcharrefreplace")


def answer_root(name: str) -> Element:
    """``<ns2:{name}>``, the root of a list answer, to build nested answers on (stock lists)."""
    return Element(f"ns2:{name}", {"xmlns:ns2": NS})


def child(parent: Element, name: str, fields: Mapping[str, Any]) -> Element:
    """``<{name}>`` under ``parent`` with one unprefixed leaf per field."""
    element = SubElement(parent, name)
    _fill(element, fields)
    return element


def records(root: str, item: str, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """``<ns2:{root}>`` of ``<ns2:{item}>`` with unprefixed children; the "no data" form when empty."""
    top = Element(f"ns2:{root}", {"xmlns:ns2": NS})
    for row in rows:
        _fill(SubElement(top, f"ns2:{item}"), row)
    if len(top) == 0:
        return result(root, 0, NO_DATA, prefixed=True)
    return document(top)


def result(root: str, code: int, text: str, *, prefixed: bool = False) -> bytes:
    """``result_code``/``result_text`` under ``<ns2:{root}>`` (prefixed as in the list "no data" form)."""
    top = Element(f"ns2:{root}", {"xmlns:ns2": NS})
    prefix = "ns2:" if prefixed else ""
    _fill(top, {f"{prefix}result_code": code, f"{prefix}result_text": text})
    return document(top)


def plain(name: str, fields: Mapping[str, Any]) -> bytes:
    """``<{name}>`` without a namespace, one leaf per field (ClientMessage, a product's ``<Product>``)."""
    top = Element(name)
    _fill(top, fields)
    return document(top)


def client_message(code: int, message: str, **extra: Any) -> bytes:
    """The ``<ClientMessage>`` of product, Q&A and gateway answers (``resultCode``, ``message``, …)."""
    return plain("ClientMessage", {"resultCode": code, "message": message, **extra})


def action_refused(code: int, text: str) -> Refused:
    """An order or claim action refused: HTTP 200 with ``<ResultOrder>`` and a non-zero result_code."""
    return Refused(result(ACTION_ROOT, code, text))

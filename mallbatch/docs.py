"""Generates the README's template reference (from the kind definitions) and its marketplace
section and the config.toml account comments (from the connector specs), so none can drift.

Run ``python -m mallbatch.docs --write`` to update README.md between its markers (without
``--write`` it prints the sections); ``tests/test_docs.py`` fails when they differ. The config
comments are rendered into the template by :func:`mallbatch.workspace.render_config`.
"""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from mallbatch.connectors.filemall.spec import FILE_TRANSPORT
from mallbatch.connectors.registry import connectors
from mallbatch.connectors.runtime.windows import UNBOUNDED
from mallbatch.domain.capability import CLAIM_ACTIONS, Capability
from mallbatch.kinds import KINDS
from mallbatch.kinds.imported import IMPORTED
from mallbatch.kinds.invoices import SMARTSTORE_BULK
from mallbatch.malls import MALLS
from mallbatch.sheets.columns import Kind

KIND_NAMES = {
    Kind.TEXT: "글자", Kind.CODE: "코드(텍스트)", Kind.DIGITS: "숫자(텍스트)", Kind.INT: "정수", Kind.DAYS: "일 수", Kind.DATE: "날짜",
    Kind.DATETIME: "일시", Kind.CHOICE: "선택", Kind.BOOL: "Y/N", Kind.PHONE: "전화번호", Kind.ZIP: "우편번호",
}
BEGIN, END = "<!-- template-reference:begin -->", "<!-- template-reference:end -->"
MALLS_BEGIN, MALLS_END = "<!-- marketplaces:begin -->", "<!-- marketplaces:end -->"
CAPABILITY_NAMES = {
    Capability.PRODUCTS_CREATE: "상품 등록", Capability.PRODUCTS_UPDATE: "상품 수정",
    Capability.ORDERS_COLLECT: "주문 수집", Capability.ORDERS_CONFIRM: "발주확인",
    Capability.INVOICES_SEND: "송장 등록", Capability.INVOICES_UPDATE: "송장 수정", Capability.INVOICES_DELETE: "송장 삭제",
    Capability.CLAIMS_COLLECT: "클레임 수집", Capability.INQUIRIES_COLLECT: "문의 수집",
    Capability.INQUIRIES_ANSWER: "문의 답변", Capability.PRODUCTS_LIST: "상품 가져오기",
    Capability.STOCK_UPDATE: "재고", Capability.PRICE_UPDATE: "판매가", Capability.SALE_STATUS: "판매중지/재개",
    Capability.ORDERS_CANCEL: "판매취소", Capability.ORDERS_RELEASE: "주문 보류해제",
    Capability.CANCEL_APPROVE: "취소승인", Capability.CANCEL_REJECT: "취소거부", Capability.RETURN_APPROVE: "반품승인",
    Capability.RETURN_REJECT: "반품거부", Capability.RETURN_HOLD: "반품보류", Capability.COLLECTED: "수거완료",
    Capability.EXCHANGE_APPROVE: "교환승인", Capability.EXCHANGE_REJECT: "교환거부", Capability.EXCHANGE_RESHIP: "교환재발송",
    Capability.EXCHANGE_HOLD: "교환보류", Capability.CLAIM_RELEASE: "클레임 보류해제",
}
WRITES = (Capability.ORDERS_CONFIRM, Capability.INVOICES_SEND, Capability.INVOICES_UPDATE, Capability.INQUIRIES_ANSWER,
          Capability.STOCK_UPDATE, Capability.PRICE_UPDATE, Capability.SALE_STATUS)
READS = {"orders": "주문", "claims": "클레임", "inquiries": "문의", "tickets": "티켓"}
# support-ticket actions (seed 004) as the 티켓 workbook's 처리 column names them
TICKET_NAMES = {Capability.TICKET_REPLY: "답변", Capability.TICKET_CLOSE: "답변후종료", Capability.TICKET_APPEAL: "Wish지원요청",
                Capability.TICKET_REOPEN: "재오픈", Capability.TICKET_REFUND: "환불"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def template_reference() -> str:
    parts = []
    for kind in KINDS.values():
        if not kind.inbox:
            continue
        parts.append(f"### {kind.title} (`{kind.code}`)\n\n{kind.description}\n")
        parts.append("| 열 | 필수 | 형식 | 규칙 | 예 |\n|---|---|---|---|---|")
        for col in kind.columns:
            rule = col.help.replace("|", "\\|")
            if col.max_len:
                rule += f" (최대 {col.max_len}자)"
            example = col.example.replace("|", "\\|")
            parts.append(f"| {col.header} | {'예' if col.required else ''} | {KIND_NAMES[col.kind]} | {rule} | {example} |")
        parts.append("")
        for table in kind.guide_tables:
            parts.append(f"{table.title}:\n\n| {' | '.join(table.headers)} |\n|---|---|")
            parts.extend(f"| {_cell(a)} | {_cell(b)} |" for a, b in table.rows)
            parts.append("")
    # the 가져온상품 workbook reads back as 상품: the import line of the command table says so
    outbox = ", ".join(f"{k.title} (`{k.code}`)" for k in KINDS.values() if not k.inbox and k not in (IMPORTED, SMARTSTORE_BULK))
    parts.append(f"수집 엑셀({outbox})은 같은 열 이름을 쓰므로 그대로 다시 넣을 수 있습니다: "
                 "주문 엑셀은 처리를 고르거나 택배사·송장번호를 채우면 송장 시트로, 문의 엑셀은 답변을 채우면 문의답변으로, "
                 "클레임 엑셀은 처리를 고르면 클레임처리로 처리됩니다. "
                 f"{SMARTSTORE_BULK.description}도 그대로 넣으면 스마트스토어 송장으로 처리됩니다.")
    return "\n".join(parts)


def _connected() -> list[tuple[str, str, Any]]:
    """(Korean name, code, spec) of every mall with an API connector, in the order of malls.py."""
    found = connectors()
    return [(m.name, m.code, found[m.code].spec) for m in MALLS if m.code in found and not _by_file(found[m.code].spec)]


def _by_file(spec: Any) -> bool:
    return getattr(spec, "transport", "api") == "file"


def _file_malls() -> list[tuple[str, str, Any]]:
    """(Korean name, code, spec) of every mall reached through upload and download files (connectors/filemall)."""
    found = connectors()
    return [(m.name, m.code, found[m.code].spec) for m in MALLS if m.code in found and _by_file(found[m.code].spec)]


FILE_CELLS = {Capability.PRODUCTS_CREATE: "업로드 파일", Capability.INVOICES_SEND: "업로드 파일",
              Capability.INVOICES_UPDATE: "업로드 파일", Capability.ORDERS_COLLECT: "다운로드 파일",
              Capability.CLAIMS_COLLECT: "다운로드 파일"}


def _number(value: float) -> str:
    return f"{value:g}"


def _span(span: timedelta) -> str:
    if span >= UNBOUNDED:
        return "제한 없음"
    minutes = round(span / timedelta(minutes=1))
    days, rest = divmod(minutes, 24 * 60)
    parts = zip((days, rest // 60, rest % 60), ("일", "시간", "분"), strict=True)
    return " ".join(f"{n}{unit}" for n, unit in parts if n) or "0분"


def per_text(per_second: float) -> str:
    """"초당 5회", or for less than one a second "5초에 1회" (1/3 reads 3초, not 초당 0.333333)."""
    if per_second >= 1:
        return f"초당 {_number(per_second)}회"
    return f"{_number(round(1 / per_second, 2))}초에 1회"


def _limit(per_second: float, client: float | None) -> str:
    return per_text(per_second) + (f" (보낼 때는 {per_text(client)})" if client else "")


def rate_text(spec: Any) -> str:
    rate = spec.rate
    text = _limit(rate.per_second, rate.client)
    if rate.burst > 1:
        text += f", 한꺼번에 {rate.burst}회까지"
    if rate.cap:
        text += f", 어떤 1초에도 {rate.cap}회 이하"
    for endpoint in rate.endpoints:
        calls = "·".join(f"`{endpoint.method} {path}`" for path in endpoint.paths)
        text += f"; {calls}{' ' + endpoint.what_ko if endpoint.what_ko else ''} {_limit(endpoint.per_second, endpoint.client)}"
        if endpoint.shared_by:
            text += f", 같은 `{endpoint.shared_by}` 의 계정끼리 함께"
    return text


def _credential(credential: Any) -> str:
    notes = [n for n in ("비밀값" if credential.secret else "",
                         f"{credential.lifetime_days}일 뒤 만료" if credential.lifetime_days else "") if n]
    return " · ".join([credential.hint_ko, *notes])  # cp949-safe: sellers save config.toml from Notepad


def read_name(spec: Any, key: str) -> str:
    """'주문', or the read's own name for a second list of one kind (쿠팡's 교환 beside 반품·취소)."""
    read = getattr(spec, "reads", {}).get(key)
    return READS.get(key) or (read.what_ko if read else key)


def _can(spec: Any, capability: Capability) -> str:
    if capability not in spec.capabilities:
        return ""
    if capability is Capability.STOCK_UPDATE and not spec.listing.option_stock:
        return "상품 단위 (옵션별 불가)"
    return "예"


def marketplaces() -> str:
    """The README's marketplace section: capabilities, limits and credentials, per spec."""
    malls = _connected()
    caps = [c for c in CAPABILITY_NAMES if c not in CLAIM_ACTIONS]  # claim actions: one cell, named
    parts = ["| 쇼핑몰 | " + " | ".join(CAPABILITY_NAMES[c] for c in caps) + " | 클레임 처리 | 지원 티켓 |",
             "|---|" + "---|" * (len(caps) + 2)]
    for name, code, spec in malls:
        claims = ", ".join(CAPABILITY_NAMES[c] for c in CLAIM_ACTIONS if c in spec.capabilities)
        tickets = ", ".join(["수집", *(n for c, n in TICKET_NAMES.items() if c in spec.capabilities)]) \
            if Capability.TICKETS_COLLECT in spec.capabilities else ""
        parts.append(f"| {name} (`{code}`) | " + " | ".join(_can(spec, c) for c in caps) + f" | {claims} | {tickets} |")
    files = _file_malls()
    for name, code, spec in files:
        cells = [FILE_CELLS.get(c, "") for c in caps]
        parts.append(f"| {name} (`{code}`) | " + " | ".join(cells) + " |  |  |")
    waiting = [f"{m.name} (`{m.code}`)" for m in MALLS if m.code not in connectors()]
    if waiting:
        parts += ["", "준비 중: " + ", ".join(waiting) + "."]
    if files:
        parts += ["", f"{', '.join(n for n, _, _ in files)}: {FILE_TRANSPORT}. 공개된 판매자 API 가 없어, 상품·송장은 쇼핑몰의 "
                  "업로드 엑셀로 `outbox/<쇼핑몰>/` 에 만들어지고(판매자센터에서 올립니다, 결과는 \"파일로 보냄\"), 판매자센터에서 "
                  "내려받은 주문·클레임 엑셀을 `inbox/` 에 넣으면 머리글로 알아보고 읽습니다. 양식은 모두 추정 양식입니다 "
                  "(`mallbatch/filemalls.toml`; 작업 폴더의 `filemalls.toml` 로 바꿉니다, [파일 연동 쇼핑몰](#file-malls-파일-연동))."]
    parts += ["", "| 쇼핑몰 | 호출 한도 (`rate_limit` 기본값) | 한 번에 조회하는 기간 | 한 번에 보내는 건수 | 답변 |",
              "|---|---|---|---|---|"]
    for name, _, spec in malls:
        windows = ", ".join(f"{read_name(spec, k)} {_span(v)}" for k, v in spec.windows.items())
        batches = ", ".join(f"{CAPABILITY_NAMES[c]} {spec.batch(c)}건" for c in WRITES if c in spec.capabilities)
        answer = []
        if spec.answer_length:
            answer.append(f"{spec.answer_length[0]}–{spec.answer_length[1]}{'바이트' if spec.answer_bytes else '자'}")
        if spec.answer_deadline_hours:
            answer.append(f"{spec.answer_deadline_hours}시간 안에")
        parts.append(f"| {name} | {rate_text(spec)} | {windows} | {batches} | {', '.join(answer)} |")
    parts += ["", "| 쇼핑몰 | 계정 키 (`[[accounts]]`) | 설명 |", "|---|---|---|"]
    for name, _, spec in malls:
        for credential in spec.credentials:
            parts.append(f"| {name} | `{credential.name}` | {_credential(credential)} |")
    parts += ["", "어느 값이든 `\"env:NAME\"` 으로 적으면 환경변수에서 읽습니다. "
              "비밀값은 화면·로그·엑셀 어디에도 나오지 않습니다."]
    return "\n".join(parts)


def account_comments() -> str:
    """The config.toml comment lines naming each mall's account keys and its rate_limit default."""
    lines = []
    for name, code, spec in _connected():
        lines.append(f"#   {name} ({code}):")
        width = max(len(c.name) for c in spec.credentials) if spec.credentials else 0
        lines += [f"#     {c.name.ljust(width)}  {_credential(c)}" for c in spec.credentials]
        lines.append(f"#     rate_limit 기본값: {rate_text(spec)}")
    files = _file_malls()
    if files:
        lines.append(f"#   {FILE_TRANSPORT}, 계정 키 없음: " + ", ".join(f"{name} ({code})" for name, code, _ in files))
    return "\n".join(lines)


def _sections() -> dict[tuple[str, str], str]:
    return {(BEGIN, END): template_reference(), (MALLS_BEGIN, MALLS_END): marketplaces()}


def update_readme(text: str) -> str:
    """README text with every generated section replaced by what the code says now."""
    for (begin, end), body in _sections().items():
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise ValueError(f"README has no {begin} … {end} markers")
        text = pattern.sub(lambda _: f"{begin}\n{body}\n{end}", text, count=1)
    return text


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        readme = Path(__file__).parent.parent / "README.md"
        readme.write_text(update_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print("\n\n".join(f"{b}\n{body}\n{e}" for (b, e), body in _sections().items()))

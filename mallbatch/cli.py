"""Command line: parses arguments and calls the library. Messages are Korean.

Exit codes: 0 ok, 1 data or operational problem (validation errors, a mall refused),
2 usage error (click's own).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from mallbatch import __version__
from mallbatch.cli_korean import VERSION_TEXT, Choice, DateTime, Group
from mallbatch.cli_korean import Path as PathType
from mallbatch.errors import MallbatchError
from mallbatch.workspace import Workspace, resolve_home


class Failure(click.ClickException):
    """A MallbatchError shown to the seller as '오류: …' with exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"오류: {self.format_message()}", err=True)


class Cli(Group):
    """Turns any MallbatchError escaping a command into a Korean one-line error, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MallbatchError as exc:
            raise Failure(str(exc)) from exc


def open_workspace(ctx: click.Context) -> Workspace:
    try:
        return Workspace.open(ctx.obj)
    except MallbatchError as exc:
        raise Failure(str(exc)) from exc


@click.group("mallbatch", cls=Cli, context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True,
             no_args_is_help=True)
@click.option("--home", type=PathType(file_okay=False), envvar="MALLBATCH_HOME", metavar="폴더",
              help="작업 폴더 (기본: MALLBATCH_HOME 또는 현재 폴더)")
@click.version_option(__version__, prog_name="mallbatch", message="%(prog)s %(version)s", help=VERSION_TEXT)
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """mallbatch: 엑셀로 여러 쇼핑몰에 상품·송장·답변을 보내고 주문·클레임·문의를 받습니다."""
    if ctx.invoked_subcommand is None:
        ctx.fail("명령을 입력하세요 (예: mallbatch validate 파일.xlsx)")
    ctx.obj = home


@cli.command()
@click.argument("directory", required=False, type=PathType(file_okay=False), metavar="[폴더]")
@click.pass_context
def init(ctx: click.Context, directory: str | None) -> None:
    """작업 폴더를 만듭니다: config.toml, inbox/, outbox/, archive/, 빈 템플릿.

    \b
    예: mallbatch init 내쇼핑몰
    """
    from mallbatch.pipeline.templates import write_templates
    from mallbatch.workspace import init_workspace

    home = resolve_home(directory or ctx.obj)
    try:
        ws, created = init_workspace(home)
        paths = write_templates(ws)
    except MallbatchError as exc:
        raise Failure(str(exc)) from exc
    click.echo(f"작업 폴더: {ws.home}")
    click.echo("config.toml 을 만들었습니다 (계정은 내장 시뮬레이터를 가리킵니다)." if created else "config.toml 이 이미 있어 그대로 두었습니다.")
    click.echo(f"빈 템플릿 {len(paths)}개: {ws.templates}")
    click.echo(f"예시 파일: {ws.home / 'examples'}")


@cli.command()
@click.pass_context
def templates(ctx: click.Context) -> None:
    """빈 템플릿을 outbox/templates/ 에 다시 만듭니다."""
    from mallbatch.pipeline.templates import write_templates

    ws = open_workspace(ctx)
    for path in write_templates(ws):
        click.echo(str(path))


@cli.command()
@click.argument("file", type=PathType(exists=True, dir_okay=False, path_type=Path), metavar="파일")
@click.option("--json", "as_json", is_flag=True, help="결과를 JSON 으로 출력")
@click.pass_context
def validate(ctx: click.Context, file: Path, as_json: bool) -> None:
    """엑셀을 검사만 합니다. 쇼핑몰에는 아무것도 보내지 않습니다.

    결과 엑셀(결과·메시지 열, 잘못된 칸은 빨간색)이 outbox/날짜/결과/ 에 생깁니다.
    오류가 있으면 종료 코드 1.
    """
    from mallbatch.pipeline.check import check_file, save_valid, write_check_result
    from mallbatch.store import open_store

    ws = open_workspace(ctx)
    with open_store(ws) as store:
        checked = check_file(ws, store, file)
        save_valid(ws, store, checked)
    out = write_check_result(ws, checked, file)
    report = checked.report
    if as_json:
        payload = report.to_dict() | {"result_workbook": str(out)}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(report.summary_ko())
        for issue in report.listed()[:10]:
            click.echo(f"  - {issue.where() or '파일'}: {issue.message}" + (f" → {issue.fix}" if issue.fix else ""))
        if len(report.listed()) > 10:
            click.echo(f"  … 나머지 {len(report.listed()) - 10}건은 결과 엑셀의 '요약' 시트를 보세요.")
        click.echo(f"결과 엑셀: {out}")
    if not report.valid:
        sys.exit(1)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=PathType(exists=True, dir_okay=False, path_type=Path),
                metavar="파일...")
@click.pass_context
def push(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """엑셀(상품·판매정보·송장·문의답변)을 검사하고 쇼핑몰로 보냅니다.

    이미 보낸 행은 다시 보내지 않습니다(건너뜀). 결과 엑셀이 outbox/날짜/결과/ 에 생깁니다.
    """
    from mallbatch.pipeline.push import push_file
    from mallbatch.pipeline.session import Session
    from mallbatch.store import open_store

    ws = open_workspace(ctx)
    failed = False
    with open_store(ws) as store, Session(ws) as session:
        for file in files:
            with click.progressbar(length=1, label=f"{file.name} 처리 중", show_eta=True, show_pos=True) as bar:

                def advance(done: int, total: int, bar: Any = bar) -> None:
                    bar.length = max(total, 1)  # tasks are planned kind by kind
                    bar.update(done)

                result = push_file(ws, store, session, file, progress=advance)
            click.echo(result.summary_ko())
            click.echo(f"결과 엑셀: {result.result_path}")
            failed |= result.failed
    if failed:
        sys.exit(1)


@cli.command()
@click.option("--mall", "malls", multiple=True, metavar="쇼핑몰", help="쇼핑몰 코드 (coupang, smartstore, wemakeprice …), 여러 번 가능")
@click.option("--kind", "kinds", multiple=True, type=Choice(["orders", "claims", "inquiries", "tickets"]), help="수집할 종류 (tickets: Wish 지원 티켓)")
@click.option("--since", type=DateTime(formats=["%Y-%m-%d", "%Y-%m-%d %H:%M"]), metavar="날짜", help="이 시각부터 다시 수집 (기본: 지난 수집 이후)")
@click.pass_context
def collect(ctx: click.Context, malls: tuple[str, ...], kinds: tuple[str, ...], since: Any) -> None:
    """주문·클레임·문의·티켓을 수집해 outbox/날짜/수집/ 에 엑셀로 만듭니다."""
    from mallbatch.domain.clock import KST
    from mallbatch.pipeline.collect import KIND_NAMES
    from mallbatch.pipeline.collect import collect as run_collect
    from mallbatch.pipeline.session import Session
    from mallbatch.store import open_store

    ws = open_workspace(ctx)
    with open_store(ws) as store, Session(ws) as session:
        result = run_collect(ws, store, session, malls=malls, kinds=kinds,
                             since=since.replace(tzinfo=KST) if since else None, progress=click.echo)
    for line in result.lines_ko():
        click.echo(line)
    for kind, path in result.workbooks.items():
        click.echo(f"{KIND_NAMES[kind]}: {path}" + (" (새로 수집한 것이 없어 그대로)" if kind in result.unchanged else ""))
    if result.errors:
        sys.exit(1)


@cli.command()
@click.argument("code", metavar="상품코드")
@click.pass_context
def history(ctx: click.Context, code: str) -> None:
    """상품 하나의 연동이력: 쇼핑몰별 상품번호와 등록·수정 시도마다의 결과와 사유.

    \b
    예: mallbatch history NK1001
    """
    from datetime import datetime

    from mallbatch.domain.clock import KST
    from mallbatch.malls import mall_name
    from mallbatch.pipeline.importing import LINK_OP
    from mallbatch.store import open_store

    ws = open_workspace(ctx)
    with open_store(ws) as store:
        bindings, attempts = store.journal.bindings_for(code), store.journal.history(code)
    if not bindings and not attempts:
        raise Failure(f"'{code}' 상품의 연동 기록이 없습니다.")
    for b in bindings:
        click.echo(f"{mall_name(b['mall'])}/{b['account']}: 상품번호 {b['product_id']} (판매그룹 {b['group_name']})")
    for h in attempts:
        op = {"product.create": "등록", LINK_OP: "연결"}.get(h["op"], "수정")
        at = datetime.fromisoformat(h["at"]).astimezone(KST)
        click.echo(f"  {at:%Y-%m-%d %H:%M:%S} {mall_name(h['mall'])}/{h['account']} {op} {h['outcome']}" + (f" - {h['message']}" if h["message"] else ""))


@cli.command()
@click.pass_context
def products(ctx: click.Context) -> None:
    """판매상품 엑셀: 저장한 상품마다 쇼핑몰별 상품번호, 연동상태(반영완료·실패·연동대기), 재고, 판매가, 판매종료일.

    outbox/날짜/상품/ 에 새 엑셀로 만들고, 옆에 상품·옵션별 재고·가격 엑셀도 만듭니다. 쇼핑몰에는 아무것도 보내지 않습니다.
    어느 쪽이든 재고·판매가·상태를 고쳐 inbox 에 넣으면 바뀐 값만 보냅니다.
    """
    from mallbatch.pipeline.catalogue import write_catalogue_workbooks
    from mallbatch.store import open_store

    ws = open_workspace(ctx)
    with open_store(ws) as store:
        path, stock = write_catalogue_workbooks(ws, store)
    click.echo(f"재고·가격 엑셀 (재고·판매가·판매상태를 고쳐 inbox 에 넣으면 보냅니다): {stock}")
    click.echo(f"판매상품 엑셀: {path}")


@cli.command()
@click.option("--from", "start", type=DateTime(formats=["%Y-%m-%d"]), metavar="날짜", help="이 날짜부터 결제된 주문 (기본: 처음부터)")
@click.option("--to", "end", type=DateTime(formats=["%Y-%m-%d"]), metavar="날짜", help="이 날짜까지 결제된 주문 (기본: 마지막 주문까지)")
@click.pass_context
def stats(ctx: click.Context, start: Any, end: Any) -> None:
    """매출통계 엑셀: 기간별(일·주·월), 제휴몰별, 카테고리별, 상품별, 옵션별, 지역별(시/도) 매출과 차트.

    수집한 주문에서 주문수, 수량, 총매출, 취소·반품 차감, 순매출, 객단가를 outbox/날짜/통계/ 에 새 엑셀로 만듭니다.
    쇼핑몰에는 아무것도 보내지 않습니다.

    \b
    예: mallbatch stats --from 2026-11-01 --to 2026-11-30
    """
    from mallbatch.pipeline.stats_book import write_sales_stats
    from mallbatch.store import open_store

    if start and end and start > end:
        raise click.BadParameter(f"--from {start:%Y-%m-%d} 이(가) --to {end:%Y-%m-%d} 보다 늦습니다", param_hint="'--from'")
    ws = open_workspace(ctx)
    with open_store(ws) as store:
        path, figures = write_sales_stats(ws, store, start.date() if start else None, end.date() if end else None)
    click.echo(f"{figures.period_ko()}: {figures.summary_ko()}" if not figures.empty else
               f"{figures.period_ko()}: 집계할 주문이 없습니다 (엑셀에 그렇게 적었습니다).")
    click.echo(f"매출통계 엑셀: {path}")


@cli.command("import")
@click.option("--mall", required=True, metavar="쇼핑몰", help="쇼핑몰 코드 (coupang, smartstore, wemakeprice, 11st)")
@click.option("--account", metavar="계정", help="config.toml 의 계정 이름 (쇼핑몰에 계정이 하나면 생략)")
@click.pass_context
def import_(ctx: click.Context, mall: str, account: str | None) -> None:
    """쇼핑몰에 이미 등록된 상품을 가져와 자체상품코드에 연결합니다 (다시 등록하지 않음).

    판매자상품코드가 있는 상품은 바로 연결하고, 없는 상품은 자체상품코드를 제안합니다.
    가져온상품 엑셀이 outbox/날짜/상품/ 에 생깁니다: '확인 필요' 행의 자체상품코드를 확인하고
    inbox 에 넣으면 연결됩니다. 연결된 상품은 바로 재고 연동과 송장 전송이 됩니다.

    \b
    예: mallbatch import --mall coupang
    """
    from mallbatch.pipeline.importing import run_import
    from mallbatch.pipeline.session import Session
    from mallbatch.store import open_store

    ws = open_workspace(ctx)
    with open_store(ws) as store, Session(ws) as session:
        result = run_import(ws, store, session, mall, account)
    for line in result.lines_ko():
        click.echo(line)
    click.echo(f"가져온상품 엑셀: {result.path}")


@cli.command()
@click.option("--authorize", "authorize_mall", metavar="쇼핑몰", help="브라우저 인증(OAuth)이 필요한 쇼핑몰(wish)을 한 번 인증합니다")
@click.option("--account", "account_name", metavar="계정", help="--authorize 할 계정 이름 (쇼핑몰에 계정이 여럿일 때)")
@click.option("--code", "pasted", metavar="주소", help="승인 후 이동한 주소(또는 code 값): 물어보지 않고 이 값으로 인증합니다")
@click.pass_context
def accounts(ctx: click.Context, authorize_mall: str | None, account_name: str | None, pasted: str | None) -> None:
    """계정마다 인증이 되는지, API 키 만료까지 며칠 남았는지 보여 줍니다 (비밀값은 표시하지 않음).

    \b
    Wish 처럼 브라우저에서 승인해야 하는 쇼핑몰은 처음 한 번: mallbatch accounts --authorize wish
    """
    from mallbatch.pipeline.accounts import authorize, check_accounts

    ws = open_workspace(ctx)
    if authorize_mall:
        def paste(url: str, help_ko: str) -> str:
            click.echo(f"인증 주소: {url}")
            click.echo(help_ko)
            return pasted if pasted is not None else click.prompt("승인 후 주소", prompt_suffix=": ")

        click.echo(authorize(ws, authorize_mall, account_name, paste))
        return
    problems = False
    for status in check_accounts(ws):
        click.echo(status.line_ko())
        problems |= not status.ok
    if problems:
        sys.exit(1)


@cli.command()
@click.pass_context
def sandbox(ctx: click.Context) -> None:
    """이 작업 폴더의 쇼핑몰 시뮬레이터를 띄워 둡니다 (curl 로 살펴보기용). Ctrl-C 로 종료.

    포트는 작업 폴더마다 따로이고 state/sandbox_ports.json 에 남습니다. 다른 창의
    mallbatch 명령(watch, push, collect)도 같은 시뮬레이터를 씁니다.
    """
    import time

    from mallbatch.pipeline.session import Session

    ws = open_workspace(ctx)
    with Session(ws) as session:
        for account in ws.config.accounts:
            url = session.start_sandbox(account).base_url if account.sandbox else ""
            if url:
                click.echo(f"{account.label}: {url}  (상태: {url}/_sandbox/state)")
        click.echo("Ctrl-C 로 종료합니다.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("종료합니다.")


@cli.command()
@click.argument("directory", required=False, type=PathType(file_okay=False), metavar="[폴더]")
@click.pass_context
def demo(ctx: click.Context, directory: str | None) -> None:
    """시뮬레이터로 전체 흐름을 보여 줍니다: 상품 등록 → 주문 수집 → 송장·답변 전송 → 재수집.

    \b
    예: mallbatch demo 데모폴더
    """
    from mallbatch.pipeline.demo import run_demo

    home = Path(directory or ctx.obj or "mallbatch-demo").expanduser().resolve()
    if (home / "config.toml").exists() and any((home / "archive").glob("*/*")):
        raise Failure(f"{home} 는 이미 쓰던 작업 폴더입니다. 새 폴더 이름을 주세요.")
    run_demo(home, click.echo)


@cli.command()
@click.argument("directory", required=False, type=PathType(file_okay=False), metavar="[폴더]")
@click.option("--agency", type=PathType(file_okay=False, exists=True, path_type=Path), metavar="폴더",
              help="대행사 폴더: 그 아래 판매자 작업 폴더마다 작업을 넣습니다 (PostgreSQL 저장소, 처리는 mallbatch worker)")
@click.pass_context
def watch(ctx: click.Context, directory: str | None, agency: Path | None) -> None:
    """inbox/ 를 지켜보며 들어온 엑셀을 바로 처리하고, 주문·클레임·문의를 정해진 간격으로 수집합니다.

    폴더를 주지 않으면 현재 폴더(mallbatch 저장소 자체도 작업 폴더입니다)를 지켜봅니다.
    작업 폴더에 config.toml 이 없으면 init 처럼 새로 만듭니다 (계정은 시뮬레이터).
    inbox 에 '지금수집' 파일을 넣으면 바로 수집합니다. Ctrl-C 로 멈춥니다.
    저장소가 PostgreSQL([store] url)이면 작업을 대기열에 넣기만 하고, 처리는 mallbatch worker 가 합니다.

    \b
    예: mallbatch watch 내쇼핑몰
        mallbatch watch --agency /mnt/대행사
    """
    from mallbatch.jobs.queue import database_url
    from mallbatch.pipeline.session import seed_sandbox
    from mallbatch.pipeline.templates import write_templates
    from mallbatch.watch import run_watch
    from mallbatch.workspace import init_workspace

    if agency is not None:
        _serve_queue(agency.resolve(), True, "watch")
        return
    home = resolve_home(directory or ctx.obj)
    ws, created = init_workspace(home)
    if created:
        click.echo(f"새 작업 폴더를 만들었습니다: {ws.home} (계정은 내장 시뮬레이터를 가리킵니다)")
    if not ws.used:  # a fresh init, or a fresh clone of the checkout with its committed config.toml
        write_templates(ws)
        click.echo(f"빈 템플릿: {ws.templates}  예시 파일: {ws.home / 'examples'}")
        if any(account.sandbox for account in ws.config.accounts):
            seed_sandbox(ws, 5, 1, 2)
            click.echo("시뮬레이터마다 예시 주문 5건, 클레임 1건, 문의 2건이 들어왔습니다 (첫 수집 엑셀에 보입니다).")
    click.echo(f"엑셀을 넣을 곳(inbox): {ws.inbox}")
    click.echo(f"결과·수집 엑셀(outbox): {ws.outbox}  (상태는 outbox/상태.txt)")
    if database_url(ws):
        _serve_queue(ws.home, False, "watch")
        return
    click.echo("지켜보는 중입니다. Ctrl-C 로 멈춥니다.")
    try:
        run_watch(ws)
    except KeyboardInterrupt:
        click.echo("바로 멈췄습니다. 처리 중이던 파일은 inbox 로 되돌렸고, 다음에 켜면 이어서 처리합니다.", err=True)
        sys.exit(130)


@cli.command()
@click.option("--concurrency", type=click.IntRange(1, 64), default=1, metavar="개수",
              help="이 프로세스가 동시에 처리할 작업 수 (1~64, 기본 1)")
@click.option("--queue", "queues", multiple=True, metavar="대기열",
              help="이 대기열의 작업만 처리 (files, collect.coupang, collect.smartstore …, stock, daily; 여러 번 가능, 기본: 전부)")
@click.option("--agency", type=PathType(file_okay=False, exists=True, path_type=Path), metavar="폴더",
              help="대행사 폴더: 그 아래 모든 판매자 작업 폴더의 작업을 처리")
@click.pass_context
def worker(ctx: click.Context, concurrency: int, queues: tuple[str, ...], agency: Path | None) -> None:
    """작업자: 대기열(PostgreSQL)의 작업을 처리합니다 (파일 전송, 수집, 재고 연동, 매일 만드는 엑셀).

    mallbatch watch 가 넣은 작업을 처리합니다. 데이터베이스에 닿는 컴퓨터라면 어디서든 몇 개든 띄울 수
    있고, 서로 나눠 처리합니다. Ctrl-C(또는 SIGTERM)는 처리 중인 작업을 마치고 멈춥니다. 갑자기 꺼진
    작업자의 작업은 다른 작업자가 이어서 하며, 이미 보낸 것은 다시 보내지 않습니다.

    \b
    예: mallbatch --home 내쇼핑몰 worker --concurrency 4
        mallbatch worker --agency /mnt/대행사 --queue files --queue collect.coupang
    """
    place_root = agency.resolve() if agency is not None else resolve_home(ctx.obj)
    _serve_queue(place_root, agency is not None, "worker", concurrency=concurrency, queues=queues)


def _serve_queue(root: Path, agency: bool, role: str, **options: Any) -> None:
    """The enqueue-only watcher or a worker, for one workspace or an agency folder."""
    import psycopg

    from mallbatch.jobs.enqueue import run_enqueue
    from mallbatch.jobs.sellers import Place
    from mallbatch.jobs.worker import console_logging, run_worker

    place = Place(root, agency)
    console_logging(place)
    try:
        if role == "watch":
            click.echo(f"작업을 대기열에 넣는 중입니다 ({'대행사 ' if agency else ''}{root}). 처리는 mallbatch worker 가 합니다. "
                       "Ctrl-C 로 멈춥니다.")
            run_enqueue(place)
        else:
            run_worker(place, **options)
    except psycopg.OperationalError as exc:
        raise Failure("PostgreSQL 데이터베이스에 연결하지 못했습니다. 서버가 켜져 있는지, config.toml 의 [store] url 이 맞는지 "
                      "확인하세요") from exc


@cli.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """watch 서비스 상태: 대기·처리 중·실패한 파일, 계정별 마지막 수집과 다음 수집."""
    from mallbatch.watch import status_lines

    for line in status_lines(open_workspace(ctx)):
        click.echo(line)


def main() -> None:
    cli(prog_name="mallbatch")

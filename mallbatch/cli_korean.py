"""click's own texts in Korean: help layout, usage errors and parameter errors.

click marks its strings with ``gettext.gettext``, which only reads the process-wide
domain in the language the environment names (LANGUAGE/LC_ALL/LANG): a catalogue would
need both changed for the whole process and would still depend on the seller's locale.
So click's public hooks are used instead: Command/Group subclasses write the help
sections, the parameter types fail with Korean messages that carry the value, and
:func:`show_usage_error` formats every usage error that reaches ``Cli.main``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click
from click.exceptions import NoArgsIsHelpError

HELP_TEXT = "이 도움말을 보여 주고 끝냅니다."
VERSION_TEXT = "버전을 보여 주고 끝냅니다."


class Command(click.Command):
    """A command whose usage, option list and extra-argument error are Korean."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[옵션]")
        super().__init__(*args, **kwargs)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="사용법: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [r for r in (p.get_help_record(ctx) for p in self.get_params(ctx)) if r is not None]
        if rows:
            with formatter.section("옵션"):
                formatter.write_dl(rows)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        allowed, ctx.allow_extra_args = ctx.allow_extra_args, True
        try:
            rest = super().parse_args(ctx, args)
        finally:
            ctx.allow_extra_args = allowed
        if rest and not allowed and not ctx.resilient_parsing:
            ctx.fail(f"필요 없는 인자가 있습니다: {' '.join(rest)}")
        return rest


class Group(Command, click.Group):
    """The top-level group: Korean command list, unknown command and error output."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "명령 [인자]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        Command.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(n, c) for n in self.list_commands(ctx) if (c := self.get_command(ctx, n)) and not c.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(n) for n, _ in commands)
            with formatter.section("명령"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in commands])

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if self.get_command(ctx, name) is None and not ctx.resilient_parsing and not name.startswith("-"):
            ctx.fail(f"'{name}' 명령은 없습니다. 명령: {', '.join(self.list_commands(ctx))}")
        return super().resolve_command(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """click's main without its English error output: errors are shown by :func:`show_usage_error`."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            show_usage_error(exc)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("중단했습니다.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def show_usage_error(exc: click.UsageError) -> None:
    """Usage line, where to find help, then ``오류: …`` (what click prints in English)."""
    ctx = exc.ctx
    if isinstance(exc, NoArgsIsHelpError) and ctx is not None:
        click.echo(ctx.get_help())
        return
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        names = ctx.help_option_names
        if names and ctx.command.add_help_option:
            click.echo(f"도움말: {ctx.command_path} {max(names, key=len)}", err=True)
        click.echo("", err=True)
    click.echo(f"오류: {usage_message(exc)}", err=True)


def usage_message(exc: click.UsageError) -> str:
    if isinstance(exc, click.NoSuchOption):
        close = f" 비슷한 옵션: {', '.join(sorted(exc.possibilities))}" if exc.possibilities else ""
        return f"'{exc.option_name}' 옵션은 없습니다.{close}"
    if isinstance(exc, click.BadOptionUsage):
        flag = exc.ctx is not None and any(
            isinstance(p, click.Option) and p.is_flag and exc.option_name in p.opts for p in exc.ctx.command.params)
        return f"'{exc.option_name}' 옵션은 값을 받지 않습니다" if flag else f"'{exc.option_name}' 옵션에 값이 필요합니다"
    if isinstance(exc, click.MissingParameter):
        return f"{param_name(exc.param)} 을(를) 입력하세요"
    if isinstance(exc, click.BadParameter):
        return f"'{param_name(exc.param)}' 값 {exc.message}"
    return exc.message


def param_name(param: click.Parameter | None) -> str:
    """'--kind' for an option, its metavar ('파일') for an argument."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name if param is not None else "값"


class Choice(click.Choice):  # type: ignore[type-arg]
    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        return f"'{value}' 은(는) 고를 수 없습니다: {', '.join(map(str, self.choices))}"


class DateTime(click.DateTime):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            shown = " 또는 ".join(f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
                                 .replace("%H", "HH").replace("%M", "mm") for f in self.formats)
            self.fail(f"'{value}' 은(는) 날짜가 아닙니다 ({shown})", param, ctx)


class Path(click.Path):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            if not os.path.exists(value):
                why = "파일을 찾을 수 없습니다" if self.file_okay else "폴더를 찾을 수 없습니다"
            elif os.path.isdir(value) and not self.dir_okay:
                why = "폴더가 아니라 파일이어야 합니다"
            elif not os.path.isdir(value) and not self.file_okay:
                why = "파일이 아니라 폴더여야 합니다"
            else:
                why = "읽거나 쓸 수 없습니다"
            self.fail(f"'{value}': {why}", param, ctx)

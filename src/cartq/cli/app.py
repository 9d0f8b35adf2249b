"""The Typer app, built from the command table: each command's parameters, help and examples come
from cli.spec, and its body hands the parsed values to the runner. Typer handles what the fast
path leaves to it: help, completion, and usage errors.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Annotated, Any  # noqa: TID253

import typer

from cartq.cli import runner
from cartq.cli.help import VERSION_HELP, name_completions
from cartq.cli.spec import APP_HELP, COMMANDS, EXIT_CODES_HELP, Command, Param
from cartq.errors import ExitCode


def help_text(command: Command) -> str:
    """The command's --help text: summary, description, then the examples kept as written (\\b)."""
    parts = [command.summary]
    if command.description:
        parts.append(command.description)
    if command.examples:
        parts.append("\b\nExamples:\n" + "\n".join(f"  {example}" for example in command.examples))
    return "\n\n".join(parts)


def _complete(kind: str) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        # Reads the cache like any lookup: no validation on a Tab once the cache is built.
        return name_completions(kind, incomplete)

    return complete


def _parameter(param: Param) -> inspect.Parameter:
    completion = {"autocompletion": _complete(param.complete)} if param.complete else {}
    if param.is_option:
        info: Any = typer.Option(*param.flags, help=param.help, metavar=param.metavar, **completion)
        kind: Any = bool if not param.takes_value else str | None
        default: Any = False if not param.takes_value else param.default
    else:
        many = param.most is None
        info = typer.Argument(metavar=param.metavar, help=param.help, show_default=False, **completion)
        kind = list[str] if many else (str if param.least else str | None)
        default = inspect.Parameter.empty if param.least else param.default
    return inspect.Parameter(
        param.dest, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, info]
    )


def _command_function(command: Command) -> Callable[..., None]:
    def body(**params: Any) -> None:
        raise typer.Exit(runner.run(command, params))

    body.__name__ = command.name
    body.__doc__ = help_text(command)
    body.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [_parameter(param) for param in command.args + command.all_options()]
    )
    return body


def _version(value: bool) -> None:
    if value:
        from cartq.render.writers import write_text

        write_text(runner.version_line())
        raise typer.Exit(0)


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="cartq",
        help=APP_HELP,
        epilog=EXIT_CODES_HELP,
        add_completion=True,
        no_args_is_help=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback(invoke_without_command=True)
    def main_callback(
        ctx: typer.Context,
        version: Annotated[
            bool | None,
            typer.Option("--version", callback=_version, is_eager=True, help=VERSION_HELP),
        ] = None,
    ) -> None:
        """Run a command; with none, print a short overview."""
        if ctx.invoked_subcommand is None:
            raise typer.Exit(runner.overview())

    for command in COMMANDS:
        app.command(name=command.name, short_help=command.summary, help=help_text(command))(_command_function(command))
    return app


app = build_app()


def main() -> None:
    """Run the Typer app (the entry point is cartq.entry:main, which tries the fast path first)."""
    try:
        app(prog_name="cartq")
    except BrokenPipeError:
        runner.silence_stdout()
        sys.exit(int(ExitCode.OK))
    except KeyboardInterrupt:
        sys.exit(int(ExitCode.INTERRUPTED))

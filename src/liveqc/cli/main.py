"""Root `liveqc` command: mounts each domain's commands and maps errors to exit codes.

Each domain's ``cli.py`` exposes ``register(root)``, which adds its commands and sub-apps to the
root app, so this module never changes when a domain grows a command.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
import typer
from typer.core import TyperGroup

from liveqc import errors

#: One exit code per error class; 2 is "bad usage or unreadable input" as the contracts say.
EXIT_CODES: dict[type[errors.LiveQCError], int] = {
    errors.InputError: 2,
    errors.RulePackError: 2,
    errors.ValidationFailed: 2,
    errors.ConfigurationError: 3,
    errors.NotFound: 4,
    errors.Conflict: 5,
    errors.InvalidTransition: 6,
    errors.PermissionDenied: 7,
    errors.AuthenticationRequired: 8,
    errors.RateLimited: 9,
}


def exit_code_for(exc: errors.LiveQCError) -> int:
    """The exit code of the nearest class in ``EXIT_CODES`` (1 for anything else)."""
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1


class LiveQCGroup(TyperGroup):
    """Root group that turns a LiveQCError into `error: <title>: <detail>` and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except errors.LiveQCError as exc:
            click.echo(f"error: {exc.title}: {exc.detail}", err=True)
            raise typer.Exit(exit_code_for(exc)) from None


#: Modules whose ``register(root)`` adds commands, in the order they appear in ``--help``.
CLI_MODULES = (
    "liveqc.cli.system",
    "liveqc.accounts.cli",
    "liveqc.events.cli",
    "liveqc.compliance.cli",
    "liveqc.archive.cli",
    "liveqc.products.cli",
    "liveqc.live_sessions.cli",
    "liveqc.live_sessions.broker.cli",
    "liveqc.complaints.cli",
    "liveqc.spot_checks.cli",
    "liveqc.reports.cli",
)


def _domain_cli_modules() -> list[Any]:
    return [importlib.import_module(name) for name in CLI_MODULES]


def build_app() -> typer.Typer:
    """Build the root Typer app with every domain's commands registered."""
    app = typer.Typer(
        cls=LiveQCGroup,
        name="liveqc",
        help="liveqc: quality and compliance governance for live-stream e-commerce.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    for module in _domain_cli_modules():
        module.register(app)
    return app


app = build_app()


def main() -> None:
    """Console-script entry point."""
    command = typer.main.get_command(app)
    sys.exit(command.main(prog_name="liveqc", standalone_mode=True))

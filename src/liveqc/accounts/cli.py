"""`liveqc user create` and `liveqc token create`."""

from __future__ import annotations

from typing import Annotated

import typer

from liveqc.accounts.models import Role
from liveqc.config import get_settings

user_app = typer.Typer(
    help="User accounts.\n\nExample: liveqc user create --email a@b.example --org 星河直播 "
    "--role viewer",
    no_args_is_help=True,
)
token_app = typer.Typer(
    help="API bearer tokens.\n\nExample: liveqc token create --user qc@xinghe.example",
    no_args_is_help=True,
)


def _factory():  # type: ignore[no-untyped-def]
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory

    engine = make_db_engine(get_settings())
    require_current_schema(engine)
    return make_session_factory(engine)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Login email.")],
    org: Annotated[str, typer.Option(help="Organisation name or id.")],
    role: Annotated[list[Role], typer.Option(help="Role in the organisation (repeatable).")],
    password: Annotated[
        str | None, typer.Option(help="Password (prompted, hidden, when omitted).")
    ] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a user in an organisation, or give an existing user more roles.

    Example: liveqc user create --email qc2@xinghe.example --org 星河直播 --role qc_reviewer
    """
    from liveqc.accounts import service
    from liveqc.db.session import session_scope
    from liveqc.errors import ValidationFailed

    factory = _factory()
    with session_scope(factory) as session:
        organisation = service.get_organisation_or_raise(session, org)
        user = service.get_user_by_email(session, email)
        if user is None:
            if password is None:
                password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
            if len(password) < 8:
                raise ValidationFailed("the password must have at least 8 characters")
            user = service.create_user(session, email=email, password=password, display_name=name)
        for item in role:
            service.add_membership(session, user=user, organisation=organisation, role=item)
        roles = ", ".join(item.value for item in role)
        typer.echo(f"user {user.email} (id {user.id}) has {roles} in {organisation.name}")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option(help="Email of the user the token acts as.")],
    name: Annotated[str, typer.Option(help="A label to tell tokens apart.")] = "cli",
) -> None:
    """Create a bearer token and print only the token, on one line.

    Example: TOKEN=$(liveqc token create --user qc@xinghe.example --name probe)
    """
    from liveqc.accounts import service
    from liveqc.db.session import session_scope

    factory = _factory()
    with session_scope(factory) as session:
        account = service.get_user_or_raise(session, user)
        _, token = service.create_token(session, user=account, name=name)
    typer.echo(token)


def register(root: typer.Typer) -> None:
    """Add `user` and `token` to the root app."""
    root.add_typer(user_app, name="user")
    root.add_typer(token_app, name="token")

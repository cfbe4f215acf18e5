"""``hotline users`` (staff logins) and ``hotline apikeys`` (bearer tokens for the JSON API).

Managing either is the ``users.manage`` / ``apikeys.manage`` right (admins); with ``--by`` the
acting staff member's role is checked, and nobody creates a login or key above their own role.
Passwords are read from standard input, never from the command line (shell history, ``ps``).
"""

from __future__ import annotations

import sys

import click
from sqlalchemy.orm import Session

from config import logins, roles
from config import staff as staff_mod
from config.errors import Forbidden
from hotline.cli_base import CliContext, acting, by_option, group, pass_cli, print_json

ROLE_CHOICE = click.Choice(roles.NAMES)
KEY_ROLE_CHOICE = click.Choice(roles.KEY_NAMES)


def _granter(session: Session, by: str | None, action: str) -> tuple[str, str]:
    """(who, their role) for the audit trail and the may-grant check."""
    actor, member = acting(session, by, action)
    return actor.ref, member.role if member else "admin"


def _read_password() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise click.UsageError("--password-stdin: no password on standard input")
    return line


@group("users", help="Staff logins: observers, operators, dispatchers, supervisors, admins.")
def users() -> None:
    pass


@users.command("create")
@click.option("--name", required=True, help="What the staff member logs in with.")
@click.option("--role", required=True, type=ROLE_CHOICE)
@click.option("--extension", help="Phone extension the operator answers (e.g. 7001).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
@by_option()
@pass_cli
def users_create(
    cli: CliContext, name: str, role: str, extension: str | None, password_stdin: bool, by: str | None
) -> None:
    """Add a staff member; with --password-stdin they can log in to the console."""
    password = _read_password() if password_stdin else None
    with cli.db.transaction() as session:
        _, granter_role = _granter(session, by, "users.manage")
        if not roles.may_grant(granter_role, role):
            raise Forbidden(f"a {granter_role} may not create a {role}")
        member = staff_mod.create(session, name=name, role=role, extension=extension)
        if password is not None:
            staff_mod.set_password(member, password)
        click.echo(
            f"created {member.role} {member.name} (id {member.id}"
            + (f", ext {extension}" if extension else "")
            + (", can log in)" if password else ", no login: hotline users passwd)")
        )


@users.command("passwd")
@click.argument("who")
@by_option()
@pass_cli
def users_passwd(cli: CliContext, who: str, by: str | None) -> None:
    """Set WHO's password from standard input (one line); their open sessions end."""
    password = _read_password()
    with cli.db.transaction() as session:
        member = staff_mod.find(session, who=who)
        _, granter_role = _granter(session, by, "users.manage")
        if not roles.may_grant(granter_role, member.role):
            raise Forbidden(f"a {granter_role} may not change a {member.role}'s password")
        staff_mod.set_password(member, password)
        ended = logins.end_sessions_of(session, staff_id=member.id)
    click.echo(f"password set for {member.name}" + (f"; {ended} session(s) ended" if ended else ""))


@users.command("disable")
@click.argument("who")
@by_option()
@pass_cli
def users_disable(cli: CliContext, who: str, by: str | None) -> None:
    """Stop WHO from logging in; their open sessions end. Their history stays."""
    with cli.db.transaction() as session:
        member = staff_mod.find(session, who=who)
        _, granter_role = _granter(session, by, "users.manage")
        if not roles.may_grant(granter_role, member.role):
            raise Forbidden(f"a {granter_role} may not disable a {member.role}")
        staff_mod.disable(member)
        ended = logins.end_sessions_of(session, staff_id=member.id)
    click.echo(f"disabled {member.name}" + (f"; {ended} session(s) ended" if ended else ""))


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def users_list(cli: CliContext, as_json: bool) -> None:
    with cli.db.read() as session:
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "role": s.role,
                "extension": s.extension,
                "active": s.active,
                "can_log_in": s.password_hash is not None and s.active,
            }
            for s in staff_mod.list_staff(session)
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        state = "" if row["active"] else "  (disabled)"
        click.echo(f"{row['id']:>4}  {row['role']:<11} {row['extension'] or '-':<6} {row['name']}{state}")


@group("apikeys", help="Bearer tokens for the JSON API (/api/v1/).")
def apikeys() -> None:
    pass


@apikeys.command("create")
@click.option("--name", required=True, help="What uses the key (e.g. 'street office reports').")
@click.option(
    "--role",
    required=True,
    type=KEY_ROLE_CHOICE,
    help="What the key may do (config.roles; partner: Open311 posts only).",
)
@by_option()
@pass_cli
def apikeys_create(cli: CliContext, name: str, role: str, by: str | None) -> None:
    """Create a key; it is printed once, alone on the last line, and only its hash is kept."""
    with cli.db.transaction() as session:
        created_by, granter_role = _granter(session, by, "apikeys.manage")
        row, secret = logins.create_api_key(
            session, name=name, role=role, created_by=created_by, granter_role=granter_role
        )
        click.echo(f"API key {row.name!r} ({row.role}) created; it is shown this once:", err=True)
    click.echo(secret)


@apikeys.command("revoke")
@click.argument("name")
@by_option()
@pass_cli
def apikeys_revoke(cli: CliContext, name: str, by: str | None) -> None:
    with cli.db.transaction() as session:
        _granter(session, by, "apikeys.manage")
        row = logins.revoke_api_key(session, name=name)
    click.echo(f"API key {row.name!r} revoked")


@apikeys.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def apikeys_list(cli: CliContext, as_json: bool) -> None:
    with cli.db.read() as session:
        rows = [
            {
                "name": k.name,
                "role": k.role,
                "prefix": k.prefix,
                "created_by": k.created_by,
                "created_at": k.created_at,
                "revoked": k.revoked_at is not None,
            }
            for k in logins.list_api_keys(session)
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(f"{row['prefix']}…  {row['role']:<11} {row['name']}" + ("  (revoked)" if row["revoked"] else ""))

"""``hotline residents export|erase``: a resident's personal data, on request (PIPL, GDPR)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hotline import privacy
from hotline.cli_base import CliContext, group, pass_cli
from hotline.commands.providers import _staff


@group(
    "residents",
    help="Residents: export or erase a resident's personal data (both audited); a stored preferred provider.",
)
def residents() -> None:
    pass


@residents.command("export")
@click.argument("phone")
@click.option("--by", "who", required=True, help="Staff member (name or extension) who hands it out.")
@click.option("--reason", help="Why (e.g. the resident's request of 2026-11-20).")
@click.option("--out", type=click.Path(path_type=Path), help="File to write (default: standard output).")
@pass_cli
def export(cli: CliContext, phone: str, who: str, reason: str | None, out: Path | None) -> None:
    """Everything held about the resident with PHONE, as JSON (docs/json.md)."""
    e164 = cli.settings.normalize_phone(phone)
    with cli.db.transaction() as session:  # the export is audited in the same transaction
        actor = f"staff:{_staff(session, who).id}"
        data = privacy.export_resident(session, phone=e164, actor=actor, reason=reason)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        click.echo(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    out.chmod(0o600)
    click.echo(f"wrote everything held about {e164} to {out}", err=True)


@residents.command("erase")
@click.argument("phone")
@click.option("--by", "who", required=True, help="Staff member (name or extension) who erases.")
@click.option("--reason", required=True, help="Why (e.g. the resident's request of 2026-11-20).")
@pass_cli
def erase(cli: CliContext, phone: str, who: str, reason: str) -> None:
    """Anonymise now everything held about the resident with PHONE; tickets stay countable."""
    e164 = cli.settings.normalize_phone(phone)
    with cli.db.transaction() as session:
        actor = f"staff:{_staff(session, who).id}"
        counts = privacy.erase_resident(session, phone=e164, actor=actor, reason=reason)
    click.echo("erased: " + ", ".join(f"{name} {count}" for name, count in counts.items()))

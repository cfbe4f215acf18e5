"""``hotline catalog``, ``hotline areas``, ``hotline users``: the reference data every domain reads."""

from __future__ import annotations

from pathlib import Path

import click

from config import areas as areas_mod
from config import catalog as catalog_mod
from config import staff as staff_mod
from hotline.cli_base import CliContext, group, pass_cli, print_json


@group("catalog", help="The service catalogue (config/catalog.toml).")
def catalog() -> None:
    pass


@catalog.command("list")
@click.option("--category", help="Only this category code.")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def catalog_list(cli: CliContext, category: str | None, as_json: bool) -> None:
    """List service items by category."""
    with cli.db.read() as session:
        if category:
            catalog_mod.get_category(session, code=category)
        items = catalog_mod.list_items(session, category=category)
        rows = [
            {
                "code": i.code,
                "category": i.category.code,
                "name_zh": i.name_zh,
                "name_en": i.name_en,
                "welfare": i.welfare,
                "price": str(i.price),
                "unit": i.unit,
                "sla_minutes": i.sla_minutes,
                "keywords_zh": i.keywords_zh,
                "keywords_en": i.keywords_en,
            }
            for i in items
        ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("the catalogue is empty; run: hotline db upgrade", err=True)
    current = None
    for row in rows:
        if row["category"] != current:
            current = row["category"]
            click.echo(f"\n[{current}]")
        welfare = "  welfare" if row["welfare"] else ""
        click.echo(
            f"  {row['code']:<18} {row['name_zh']} / {row['name_en']}  "
            f"{row['price']}/{row['unit']}  SLA {row['sla_minutes']} min{welfare}"
        )


@catalog.command("check")
@click.option("--file", "path", type=click.Path(path_type=Path), default=catalog_mod.CATALOG_PATH, show_default=True)
def catalog_check(path: Path) -> None:
    """Validate the catalogue file without touching the database."""
    data = catalog_mod.parse(path)
    welfare = sum(1 for i in data.items if i["welfare"])
    click.echo(f"{path}: ok: {len(data.categories)} categories, {len(data.items)} items ({welfare} welfare)")


@catalog.command("load")
@click.option("--file", "path", type=click.Path(path_type=Path), default=catalog_mod.CATALOG_PATH, show_default=True)
@pass_cli
def catalog_load(cli: CliContext, path: Path) -> None:
    """Load the catalogue into the database (items no longer listed are deactivated)."""
    with cli.db.transaction() as session:
        categories, items = catalog_mod.load(session, path)
    click.echo(f"loaded {categories} categories, {items} items")


@click.group("areas", help="Districts, streets and communities (config/areas.toml).")
def areas() -> None:
    pass


@areas.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def areas_list(cli: CliContext, as_json: bool) -> None:
    """Print districts, streets and communities with their codes."""
    with cli.db.read() as session:
        rows = [
            {
                "code": a.code,
                "level": a.level,
                "parent": a.parent.code if a.parent else None,
                "name_zh": a.name_zh,
                "name_en": a.name_en,
                "aliases_zh": a.aliases_zh,
            }
            for a in areas_mod.list_areas(session)
        ]
    if as_json:
        print_json(rows)
        return
    indent = {"district": "", "street": "  ", "community": "    "}
    for row in rows:
        click.echo(f"{indent[str(row['level'])]}{row['code']}  {row['name_zh']}  {row['name_en']}")


@click.group("users", help="Staff: operators, dispatchers, supervisors, admins.")
def users() -> None:
    pass


@users.command("create")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(staff_mod.ROLES))
@click.option("--extension", help="Phone extension the operator answers (e.g. 7001).")
@pass_cli
def users_create(cli: CliContext, name: str, role: str, extension: str | None) -> None:
    """Add a staff member."""
    with cli.db.transaction() as session:
        member = staff_mod.create(session, name=name, role=role, extension=extension)
        click.echo(
            f"created {member.role} {member.name} (id {member.id}" + (f", ext {extension})" if extension else ")")
        )


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def users_list(cli: CliContext, as_json: bool) -> None:
    with cli.db.read() as session:
        rows = [
            {"id": s.id, "name": s.name, "role": s.role, "extension": s.extension, "active": s.active}
            for s in staff_mod.list_staff(session)
        ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(f"{row['id']:>4}  {row['role']:<11} {row['extension'] or '-':<6} {row['name']}")

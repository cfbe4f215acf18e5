"""``hotline catalog``, ``hotline areas``: the reference data every domain reads (staff: ``commands/users.py``)."""

from __future__ import annotations

from pathlib import Path

import click

from config import catalog as catalog_mod
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
    from config import areas as areas_mod  # `catalog list` need not map the areas

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

"""The service catalogue: categories and service items, loaded from ``config/catalog.toml``.

It lives in ``config`` (layer 1) and not in ``dispatch`` because providers (layer 3) offer items
too: every domain reads it, none owns it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from config.db import Base
from config.errors import NotFound
from config.reference import Checker, read_toml, table_lines

CATALOG_PATH = Path(__file__).resolve().parent / "catalog.toml"
UNITS = ("hour", "visit", "job", "item", "square_metre", "metre", "day", "month", "session", "trip", "free")
CODE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
CATEGORY_CODE = re.compile(r"^[a-z][a-z_]*$")


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    items: Mapped[list[ServiceItem]] = relationship(back_populates="category", order_by="ServiceItem.position")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


class ServiceItem(Base):
    __tablename__ = "service_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    welfare: Mapped[bool] = mapped_column(default=False)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit: Mapped[str] = mapped_column(String(20))
    sla_minutes: Mapped[int]
    keywords_zh: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords_en: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    category: Mapped[Category] = relationship(back_populates="items", lazy="joined")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


@dataclass
class CatalogData:
    categories: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


def parse(path: Path = CATALOG_PATH) -> CatalogData:
    """Read and validate the catalogue file; every problem is reported with its line."""
    data, lines = read_toml(path)
    check = Checker(path)
    categories = data.get("category", [])
    items = data.get("item", [])
    category_lines = table_lines(lines, "category")
    item_lines = table_lines(lines, "item")
    seen_categories: dict[str, int] = {}
    for index, entry in enumerate(categories):
        line = category_lines[index] if index < len(category_lines) else 0
        code = check.require(entry, line, "code", str)
        check.require(entry, line, "name_zh", str)
        check.require(entry, line, "name_en", str)
        if code is None:
            continue
        if not CATEGORY_CODE.match(code):
            check.error(line, f"category code {code!r} must be lowercase letters and _")
        if code in seen_categories:
            check.error(line, f"duplicate category code {code!r} (first at line {seen_categories[code]})")
        seen_categories.setdefault(code, line)
    seen_items: dict[str, int] = {}
    for index, entry in enumerate(items):
        line = item_lines[index] if index < len(item_lines) else 0
        code = check.require(entry, line, "code", str)
        category = check.require(entry, line, "category", str)
        for name in ("name_zh", "name_en", "unit"):
            check.require(entry, line, name, str)
        check.require(entry, line, "welfare", bool)
        price = check.require(entry, line, "price", (int, float))
        sla = check.require(entry, line, "sla_minutes", int)
        for name in ("keywords_zh", "keywords_en"):
            words = check.require(entry, line, name, list)
            if words is not None and (not words or not all(isinstance(w, str) and w.strip() for w in words)):
                check.error(line, f"{name} must be a non-empty list of words")
        if code is not None:
            if not CODE.match(code):
                check.error(line, f"item code {code!r} must look like HK-CLEAN (A-Z, 0-9, dashes)")
            if code in seen_items:
                check.error(line, f"duplicate item code {code!r} (first at line {seen_items[code]})")
            seen_items.setdefault(code, line)
        if category is not None and category not in seen_categories:
            check.error(line, f"item {code!r} names unknown category {category!r}")
        if entry.get("unit") is not None and entry.get("unit") not in UNITS:
            check.error(line, f"unknown unit {entry.get('unit')!r} (one of {', '.join(UNITS)})")
        if price is not None and price < 0:
            check.error(line, "price must not be negative")
        if sla is not None and sla <= 0:
            check.error(line, "sla_minutes must be positive")
    if not items:
        check.error(1, "no [[item]] entries")
    check.raise_if_any()
    return CatalogData(categories=categories, items=items)


def load(session: Session, path: Path = CATALOG_PATH) -> tuple[int, int]:
    """Insert or update the catalogue from ``path``; items no longer listed are deactivated, never
    deleted (old tickets name them). Returns (categories, active items)."""
    data = parse(path)
    existing_categories = {c.code: c for c in session.scalars(select(Category))}
    by_code: dict[str, Category] = {}
    for position, entry in enumerate(data.categories):
        category = existing_categories.get(entry["code"]) or Category(code=entry["code"])
        category.name_zh, category.name_en, category.position = entry["name_zh"], entry["name_en"], position
        session.add(category)
        by_code[category.code] = category
    session.flush()
    existing_items = {i.code: i for i in session.scalars(select(ServiceItem))}
    listed = set()
    for position, entry in enumerate(data.items):
        item = existing_items.get(entry["code"]) or ServiceItem(code=entry["code"])
        item.category = by_code[entry["category"]]
        item.name_zh, item.name_en = entry["name_zh"], entry["name_en"]
        item.welfare = entry["welfare"]
        item.price = Decimal(str(entry["price"]))
        item.unit = entry["unit"]
        item.sla_minutes = entry["sla_minutes"]
        item.keywords_zh = list(entry["keywords_zh"])
        item.keywords_en = [w.lower() for w in entry["keywords_en"]]
        item.active = True
        item.position = position
        session.add(item)
        listed.add(item.code)
    for code, item in existing_items.items():
        if code not in listed:
            item.active = False
    session.flush()
    return len(data.categories), len(listed)


def get_item(session: Session, *, code: str) -> ServiceItem:
    item = session.scalar(select(ServiceItem).where(ServiceItem.code == code.strip().upper()))
    if item is None:
        raise NotFound(f"unknown service item {code!r} (see: hotline catalog list)")
    return item


def list_items(session: Session, *, category: str | None = None, active_only: bool = True) -> list[ServiceItem]:
    query = select(ServiceItem).join(Category).order_by(Category.position, ServiceItem.position)
    if category:
        query = query.where(Category.code == category)
    if active_only:
        query = query.where(ServiceItem.active.is_(True))
    return list(session.scalars(query))


def list_categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.position)))


def get_category(session: Session, *, code: str) -> Category:
    category = session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise NotFound(f"unknown category {code!r}")
    return category

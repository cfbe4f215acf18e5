"""Areas as data: districts, streets (街道) and communities (社区), from ``config/areas.toml``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from config.db import Base
from config.errors import NotFound
from config.reference import Checker, read_toml, table_lines

AREAS_PATH = Path(__file__).resolve().parent / "areas.toml"
LEVELS = ("district", "street", "community")
PARENT_FIELD = {"street": "district", "community": "street"}


class Area(Base):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    level: Mapped[str] = mapped_column(String(12), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    aliases_zh: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Area | None] = relationship(remote_side=[id], lazy="joined", join_depth=2)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh

    def path(self, locale: str) -> str:
        """``南湖区 南湖街道 xx社区``: the area with its parents, as written on an address."""
        names: list[str] = []
        area: Area | None = self
        while area is not None:
            names.append(area.name(locale))
            area = area.parent
        return (", " if locale == "en" else " ").join(reversed(names) if locale != "en" else names)


def parse(path: Path = AREAS_PATH) -> list[tuple[str, dict[str, Any], int]]:
    data, lines = read_toml(path)
    check = Checker(path)
    rows: list[tuple[str, dict[str, Any], int]] = []
    seen: dict[str, tuple[str, int]] = {}
    for level in LEVELS:
        line_numbers = table_lines(lines, level)
        for index, entry in enumerate(data.get(level, [])):
            line = line_numbers[index] if index < len(line_numbers) else 0
            code = check.require(entry, line, "code", str)
            check.require(entry, line, "name_zh", str)
            check.require(entry, line, "name_en", str)
            if code is None:
                continue
            if not re.fullmatch(r"\d{6,12}", code):
                check.error(line, f"{level} code {code!r} must be 6 to 12 digits")
            if code in seen:
                check.error(line, f"duplicate area code {code!r} (first at line {seen[code][1]})")
            parent_field = PARENT_FIELD.get(level)
            if parent_field:
                parent = entry.get(parent_field)
                if parent not in seen or seen[parent][0] != parent_field:
                    check.error(line, f"{level} {code!r} names unknown {parent_field} {parent!r}")
            seen.setdefault(code, (level, line))
            rows.append((level, entry, line))
    check.raise_if_any()
    return rows


def load(session: Session, path: Path = AREAS_PATH) -> int:
    """Insert or update areas from ``path``; returns how many are listed."""
    existing = {a.code: a for a in session.scalars(select(Area))}
    for position, (level, entry, _line) in enumerate(parse(path)):
        area = existing.get(entry["code"]) or Area(code=entry["code"])
        area.level = level
        area.name_zh, area.name_en = entry["name_zh"], entry["name_en"]
        area.aliases_zh = list(entry.get("aliases_zh", []))
        area.position = position
        parent_field = PARENT_FIELD.get(level)
        area.parent = existing[entry[parent_field]] if parent_field else None
        session.add(area)
        existing[area.code] = area
    session.flush()
    return len(existing)


def get(session: Session, *, code: str) -> Area:
    area = session.scalar(select(Area).where(Area.code == code.strip()))
    if area is None:
        raise NotFound(f"unknown area code {code!r} (see: hotline areas list)")
    return area


def get_community(session: Session, *, code: str) -> Area:
    area = get(session, code=code)
    if area.level != "community":
        raise NotFound(f"{code!r} is a {area.level}, not a community")
    return area


def list_areas(session: Session, *, level: str | None = None) -> list[Area]:
    query = select(Area).order_by(Area.position)
    if level:
        query = query.where(Area.level == level)
    return list(session.scalars(query))


def ancestors_and_self(area: Area) -> list[Area]:
    chain: list[Area] = []
    current: Area | None = area
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain

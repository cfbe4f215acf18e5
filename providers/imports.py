"""Reading a roster file (CSV or XLSX) and checking every row before anything is written.

The format is documented in README.md ("Providers"). Headers may be English or Chinese; a CSV
may be UTF-8 (with or without BOM) or GB18030/GBK as Excel saves it in China."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import clock
from config.areas import Area
from config.catalog import ServiceItem
from config.csvcells import unguarded
from config.errors import HotlineError, InvalidInput
from config.settings import Settings
from providers import hours as working_hours
from providers.models import Provider
from providers.states import COURSE_VALIDITY, KINDS, STATUSES

REQUIRED = ("kind", "name", "phone", "items", "areas", "capacity")
COLUMNS: dict[str, tuple[str, ...]] = {  # canonical name -> accepted headers besides itself
    "kind": ("类型", "类别"),
    "name": ("名称", "姓名", "name_zh"),
    "name_en": ("英文名称", "英文名"),
    "phone": ("电话", "手机", "联系电话"),
    "other_phones": ("其他电话", "备用电话"),
    "items": ("服务项目",),
    "areas": ("服务区域", "服务社区"),
    "capacity": ("接单上限", "同时接单数"),
    "status": ("状态",),
    "organisation": ("所属组织", "志愿服务点", "organization"),
    "hours": ("工作时间", "服务时间"),
    "days_off": ("休息日",),
    "standard_prices": ("执行标准价格", "标准价格"),
    "language": ("语言",),
    "licence_number": ("营业执照号", "统一社会信用代码"),
    "licence_expires": ("营业执照到期", "营业执照有效期"),
    "insurance_expires": ("保险到期", "保险有效期"),
    "certificate_expires": ("证书到期", "技能证书有效期"),
    "training_induction": ("入职培训",),
    "training_etiquette": ("礼仪培训",),
    "training_safety": ("安全培训",),
}
DOCUMENT_COLUMNS = {
    "licence_expires": "business_licence",
    "insurance_expires": "insurance",
    "certificate_expires": "skill_certificate",
}
COURSE_COLUMNS = {"training_induction": "induction", "training_etiquette": "etiquette", "training_safety": "safety"}
KIND_VALUES = {
    "企业": "company",
    "会员企业": "company",
    "加盟企业": "company",
    "个人": "individual",
    "技能人员": "individual",
    "个人技工": "individual",
    "志愿者": "volunteer",
}
STATUS_VALUES = {
    "申请": "applicant",
    "申请中": "applicant",
    "审核中": "vetting",
    "审核": "vetting",
    "正常": "active",
    "在册": "active",
    "合格": "active",
    "试用": "probation",
    "试用期": "probation",
    "考察期": "probation",
    "停用": "suspended",
    "暂停": "suspended",
    "清退": "removed",
    "已清退": "removed",
}
YES = {"yes", "y", "true", "1", "是", "同意"}
NO = {"no", "n", "false", "0", "否", "不同意", ""}
IGNORED = ("error", "错误")  # the column a rejects file adds: re-importing it after fixing works
_LIST_SPLIT = re.compile(r"[;；,，、]")
_HEADER_OF = {alias.casefold(): name for name, aliases in COLUMNS.items() for alias in (name, *aliases)}


@dataclass
class Table:
    headers: list[str]  # as written in the file
    rows: list[tuple[int, dict[str, Any]]]  # (row number in the file, raw values by original header)
    encoding: str | None  # for CSV: the encoding it was read with


@dataclass
class ProviderRow:
    line: int
    raw: dict[str, Any]
    kind: str
    name_zh: str
    name_en: str | None
    phone: str
    other_phones: list[str]
    items: list[ServiceItem]
    areas: list[Area]
    capacity: int
    status: str
    organisation: str | None
    hours: dict[str, list[str]]
    days_off: list[str]
    standard_prices: bool
    language: str
    licence_number: str | None
    documents: dict[str, dt.date] = field(default_factory=dict)
    courses: dict[str, dt.date] = field(default_factory=dict)


@dataclass
class RowError:
    line: int
    raw: dict[str, Any]
    message: str


def _decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    if encoding:
        return _decode_as(data, path, encoding)
    try:
        return data.decode("utf-8-sig"), "UTF-8 with BOM" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"{path}: cannot read the text as UTF-8 or GB18030/GBK{_guess(data)}; save it from Excel as "
            "'CSV UTF-8' or name its encoding with --encoding"
        ) from None
    # GB18030 decodes almost any bytes: Big5 or Shift-JIS come out as kana, Greek and rare
    # characters. Real GBK rosters are common Chinese (GB2312) with a rare name character or two.
    odd = [c for c in text if not c.isascii() and not _common_chinese(c)]
    wide = sum(1 for c in text if not c.isascii())
    if wide and len(odd) > wide * MAX_UNCOMMON:
        raise InvalidInput(
            f"{path}: read as GB18030 it is not plausible Chinese ({len(odd)} of {wide} characters are not "
            f"common Chinese, e.g. {''.join(odd[:5])!r}){_guess(data)}; save it as 'CSV UTF-8' or name its "
            "encoding with --encoding (e.g. --encoding big5)"
        )
    return text, "GB18030 (GBK)"


MAX_UNCOMMON = 0.1  # share of non-ASCII characters outside common Chinese that GBK text may have


def _common_chinese(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or char in "·—…“”‘’"


def _guess(data: bytes) -> str:
    """charset-normalizer's guess at what the file is, as a hint in the error."""
    best = charset_normalizer.from_bytes(data[:65536]).best()
    return f" (it looks like {best.encoding})" if best is not None and best.encoding not in ("gb18030", "utf_8") else ""


def _decode_as(data: bytes, path: Path, encoding: str) -> tuple[str, str]:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InvalidInput(
            f"--encoding {encoding!r} is not an encoding Python knows (e.g. utf-8, gb18030, big5)"
        ) from None
    try:
        return data.decode("utf-8-sig" if name == "utf-8" else name), name
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not valid {name} at byte {exc.start}") from None


def read_table(path: Path, *, encoding: str | None = None) -> Table:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if path.suffix.lower() not in (".csv", ".txt"):
        raise InvalidInput(f"{path}: expected a .csv or .xlsx file")
    text, read_as = _decode(path.read_bytes(), path, encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = [(reader.line_num, row) for row in reader]
    return _table(path, lines, read_as)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InvalidInput(f"{path}: not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        lines = [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    return _table(path, lines, None)


def _table(path: Path, lines: list[tuple[int, list[Any]]], encoding: str | None) -> Table:
    lines = [(n, row) for n, row in lines if any(str(v).strip() for v in row if v is not None)]
    if not lines:
        raise InvalidInput(f"{path}: the file is empty")
    _header_line, header_row = lines[0]
    headers = [str(h).strip() if h is not None else "" for h in header_row]
    while headers and not headers[-1]:
        headers.pop()
    unknown = [h for h in headers if _canonical(h) is None and h.casefold() not in IGNORED]
    if unknown:
        raise InvalidInput(f"{path}: unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)}; see README)")
    canon = [_canonical(h) for h in headers]
    duplicated = {c for c in canon if c and canon.count(c) > 1}
    if duplicated:
        raise InvalidInput(f"{path}: column {sorted(duplicated)[0]!r} appears twice")
    missing = [c for c in REQUIRED if c not in canon]
    if missing:
        raise InvalidInput(f"{path}: missing column {', '.join(missing)} (required: {', '.join(REQUIRED)})")
    rows = [(n, {h: (row[i] if i < len(row) else None) for i, h in enumerate(headers)}) for n, row in lines[1:]]
    return Table(headers=headers, rows=rows, encoding=encoding)


def _canonical(header: str) -> str | None:
    return _HEADER_OF.get(unicodedata.normalize("NFKC", header).strip().casefold())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if "\x00" in text:
        raise InvalidInput(f"{unguarded(text).replace(chr(0), '␀')!r} contains a NUL character")
    return unguarded(text)  # an exported cell's formula guard (config.csvcells)


def _date(value: Any, column: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise InvalidInput(f"{column} {text!r} is not a date (YYYY-MM-DD)")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InvalidInput(f"{column} {text!r} is not a date") from None


class Checker:
    """Checks rows against the catalogue, the areas and the providers already registered."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.settings = settings
        self.today = clock.now().astimezone(settings.zone).date()
        self.items = {i.code: i for i in session.scalars(select(ServiceItem).where(ServiceItem.active.is_(True)))}
        self.areas = {a.code: a for a in session.scalars(select(Area))}
        self.session = session

    def taken_phones(self, phones: list[str]) -> set[str]:
        return taken_phones(self.session, phones)

    def row(self, line: int, raw: dict[str, Any]) -> ProviderRow:
        values = {_canonical(h): v for h, v in raw.items()}
        get = lambda name: _text(values.get(name))  # noqa: E731
        problems: list[str] = []

        def attempt(fn: Callable[..., Any], *args: Any) -> Any:
            try:
                return fn(*args)
            except HotlineError as exc:
                problems.append(exc.message)
                return None

        kind = get("kind").lower()
        kind = KIND_VALUES.get(kind, kind)
        if kind not in KINDS:
            problems.append(f"kind {get('kind')!r} is not one of {', '.join(KINDS)} (企业, 个人, 志愿者)")
        status = get("status").lower() or "applicant"
        status = STATUS_VALUES.get(status, status)
        if status not in STATUSES:
            problems.append(f"status {get('status')!r} is not one of {', '.join(STATUSES)}")
        name = get("name")
        if not name:
            problems.append("name is empty")
        phone = attempt(self.settings.normalize_phone, get("phone"))
        others = [p for p in (attempt(self.settings.normalize_phone, r) for r in _split(get("other_phones"))) if p]
        items = [self.items.get(code.upper()) for code in _split(get("items"))]
        unknown = [code for code, item in zip(_split(get("items")), items, strict=True) if item is None]
        if unknown:
            problems.append(f"unknown service item {', '.join(unknown)} (see: hotline catalog list)")
        if not _split(get("items")):
            problems.append("items is empty")
        areas = [self.areas.get(code) for code in _split(get("areas"))]
        unknown = [code for code, area in zip(_split(get("areas")), areas, strict=True) if area is None]
        if unknown:
            problems.append(f"unknown area code {', '.join(unknown)} (see: hotline areas list)")
        if not _split(get("areas")):
            problems.append("areas is empty")
        capacity = get("capacity")
        if not capacity.isdigit() or int(capacity) < 1:
            problems.append(f"capacity {capacity!r} must be a whole number of at least 1")
        organisation = get("organisation") or None
        if kind == "volunteer" and not organisation:
            problems.append("a volunteer needs an organisation ('station > substation > service point')")
        hours = attempt(working_hours.parse, get("hours"))
        days_off = [attempt(_date, d, "days_off") for d in _split(get("days_off"))]
        prices = get("standard_prices").lower()
        if prices not in YES | NO:
            problems.append(f"standard_prices {prices!r} must be yes or no")
        language = {"": "zh_CN", "zh": "zh_CN", "zh_cn": "zh_CN", "中文": "zh_CN", "en": "en", "英文": "en"}.get(
            get("language").lower()
        )
        if language is None:
            problems.append(f"language {get('language')!r} must be zh_CN or en")
        documents: dict[str, dt.date] = {}
        for column, document in DOCUMENT_COLUMNS.items():
            expires = attempt(_date, values.get(column), column)
            if expires is not None and expires < self.today:
                problems.append(f"{column} {expires.isoformat()} has passed; record the renewed document")
            elif expires is not None:
                documents[document] = expires
        courses: dict[str, dt.date] = {}
        for column, course in COURSE_COLUMNS.items():
            done = attempt(_date, values.get(column), column)
            validity = COURSE_VALIDITY[course]
            if done is None:
                continue
            if done > self.today:
                problems.append(f"{column} {done.isoformat()} is in the future")
            elif validity is not None and done + validity < self.today:
                problems.append(f"{column} {done.isoformat()} expired on {(done + validity).isoformat()}")
            else:
                courses[course] = done
        if problems:
            raise InvalidInput("; ".join(problems))
        return ProviderRow(
            line=line,
            raw=raw,
            kind=kind,
            name_zh=name,
            name_en=get("name_en") or None,
            phone=phone,
            other_phones=others,
            items=list(dict.fromkeys(i for i in items if i is not None)),
            areas=list(dict.fromkeys(a for a in areas if a is not None)),
            capacity=int(capacity),
            status=status,
            organisation=organisation,
            hours=hours,
            days_off=[d.isoformat() for d in days_off if d is not None],
            standard_prices=prices in YES,
            language=language or "zh_CN",
            licence_number=get("licence_number") or None,
            documents=documents,
            courses=courses,
        )


def taken_phones(session: Session, phones: list[str]) -> set[str]:
    """Which of ``phones`` (E.164) registered providers hold already."""
    taken: set[str] = set()
    for start in range(0, len(phones), 500):
        chunk = phones[start : start + 500]
        taken.update(session.scalars(select(Provider.phone).where(Provider.phone.in_(chunk))))
    return taken


def _split(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


def check_rows(
    session: Session, settings: Settings, table: Table, *, progress: Callable[[int], None] | None = None
) -> tuple[list[ProviderRow], list[RowError]]:
    """Every row checked; duplicates within the file and against the database are errors."""
    checker = Checker(session, settings)
    good: list[ProviderRow] = []
    errors: list[RowError] = []
    for line, raw in table.rows:
        try:
            good.append(checker.row(line, raw))
        except HotlineError as exc:
            errors.append(RowError(line, raw, exc.message))
        if progress:
            progress(1)
    first_line: dict[str, int] = {}
    taken = checker.taken_phones([row.phone for row in good])
    kept: list[ProviderRow] = []
    for row in good:
        if row.phone in taken:
            errors.append(RowError(row.line, row.raw, f"phone {row.phone} already belongs to a registered provider"))
        elif row.phone in first_line:
            errors.append(RowError(row.line, row.raw, f"phone {row.phone} repeats row {first_line[row.phone]}"))
        else:
            first_line[row.phone] = row.line
            kept.append(row)
    errors.sort(key=lambda e: e.line)
    return kept, errors


def iter_report(errors: list[RowError]) -> Iterator[str]:
    for error in errors:
        yield f"row {error.line}: {error.message}"

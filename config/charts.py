"""Charts as SVG drawn on the server: no script, no fetched images, so they work offline and print.
Each function returns markup safe to put into a page (labels escaped)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#2b6cb0", "#38a169", "#d69e2e", "#c53030", "#805ad5", "#319795", "#dd6b20", "#718096")


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _short(label: str, room: int = 28) -> str:
    """A bar's label as it fits left of the bars (about 28 Latin letters at 12 px), cut visibly."""
    return label if len(label) <= room else label[: room - 1] + "…"


def bars(title: str, rows: Sequence[tuple[str, float]], *, unit: str = "", width: int = 560, limit: int = 12) -> Markup:
    """Horizontal bars, largest first as given (rankings, counts by category)."""
    rows = list(rows)[:limit]
    if not rows:
        return Markup("")
    line, left = 24, 190
    height = 30 + line * len(rows)
    top = max(value for _, value in rows) or 1
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" class="chart-title" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    span = width - left - 60
    for i, (label, value) in enumerate(rows):
        y = 24 + i * line
        w = max(1.0, span * value / top) if value else 0
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="12"><title>{escape(str(label))}</title>'
            f"{escape(_short(str(label)))}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{line - 8}" fill="{PALETTE[0]}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 15}" font-size="12">{escape(_fmt(value))}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def shares(title: str, rows: Sequence[tuple[str, float]], *, width: int = 560) -> Markup:
    """One stacked bar of shares with a legend (contacts by channel, calls by outcome)."""
    rows = [(label, value) for label, value in rows if value]
    total = sum(value for _, value in rows)
    if not total:
        return Markup("")
    height = 60 + 18 * ((len(rows) + 2) // 3)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    x = 0.0
    for i, (_label, value) in enumerate(rows):
        w = width * value / total
        parts.append(f'<rect x="{x:.1f}" y="22" width="{w:.1f}" height="18" fill="{PALETTE[i % len(PALETTE)]}"/>')
        x += w
    for i, (label, value) in enumerate(rows):
        lx, ly = (i % 3) * (width // 3), 56 + 18 * (i // 3)
        parts.append(
            f'<rect x="{lx}" y="{ly - 10}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{lx + 14}" y="{ly}" font-size="12">{escape(str(label))} {_fmt(value)} '
            f"({100 * value / total:.0f}%)</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line(
    title: str,
    points: Sequence[tuple[str, float | None]],
    *,
    width: int = 560,
    height: int = 180,
    percent: bool = False,
) -> Markup:
    """A trend over months; a month without data is a gap."""
    points = list(points)
    known = [v for _, v in points if v is not None]
    if not known:
        return Markup("")
    left, bottom, top_pad = 40, 30, 40
    low = 0.0
    high = max(known) or 1.0
    if percent:
        high = 1.0
    plot_w, plot_h = width - left - 30, height - bottom - top_pad
    step = plot_w / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - (v - low) / (high - low or 1))

    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end" font-size="11">'
        f"{'100%' if percent else _fmt(high)}</text>",
        f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    path: list[str] = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="11">{escape(str(label)[-5:])}</text>'
        )
        if value is None:
            path.append("")
            continue
        path.append(f"{x:.1f},{y(value):.1f}")
        shown = f"{100 * value:.0f}%" if percent else _fmt(value)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="3" fill="{PALETTE[0]}"/>'
            f'<text x="{x:.1f}" y="{y(value) - 6:.1f}" text-anchor="middle" font-size="10">{shown}</text>'
        )
    segments, current = [], []
    for point in path:
        if point:
            current.append(point)
        elif current:
            segments.append(current)
            current = []
    if current:
        segments.append(current)
    for segment in segments:
        parts.append(f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="2" points="{" ".join(segment)}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))

"""Charts as inline SVG, drawn here (no JavaScript, no CDN): readable by screen readers (role="img", a title and a
description carrying the values), sharp in print, and each series told apart by its dash pattern as well as colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from web.format import number

DASHES = ("", "6 3", "2 3", "8 3 2 3")
COLOURS = ("#1f5fa8", "#b3541e", "#2e7d32", "#6a3d9a")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None = no data (the line is broken there)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_max: float | None = None,
    width: int = 640,
    height: int = 260,
) -> str:
    """A line chart of ``series`` over ``labels``; gaps where a value is missing."""
    left, right, top, bottom = 44, 32, 12, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    present = [v for s in series for v in s.values if v is not None]
    top_value: float = y_max if y_max is not None else max(present, default=1.0)
    top_value = top_value or 1.0

    def x(i: int) -> float:
        return left + (plot_w * i / max(1, len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / top_value)

    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" class="axis"/>']
    for k in range(5):
        tick = top_value * k / 4
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" class="tick" text-anchor="end">{number(tick, 0)}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" class="tick" text-anchor="middle">{escape(label)}</text>')
    for n, s in enumerate(series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        run: list[str] = []
        values: list[float | None] = [*s.values, None]  # the None closes the last run
        for i, v in enumerate(values):
            if v is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"'
                        + (f' stroke-dasharray="{dash}"' if dash else "")
                        + "/>"
                    )
                run = []
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(s.name)}, {escape(labels[i])}: {number(v)}</title></circle>"
            )
        parts.append(f'<text x="{left + 8 + 150 * n}" y="{height - 8}" class="legend" fill="{colour}">— {escape(s.name)}</text>')
    described = "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{lab} {number(v) if v is not None else 'không có số liệu'}" for lab, v in zip(labels, s.values, strict=True)
        )
        for s in series
    )
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" class="chart">'
        f"<title>{escape(title)}</title><desc>{escape(described)}</desc>{''.join(parts)}</svg>"
    )


def bar_chart(title: str, rows: Sequence[tuple[str, float | None]], *, x_max: float, width: int = 640) -> str:
    """Horizontal bars, one per (label, value), in the given order; a missing value draws no bar."""
    bar_h, gap, left, right = 16, 6, 190, 56
    height = len(rows) * (bar_h + gap) + gap
    plot_w = width - left - right
    parts = []
    for i, (label, value) in enumerate(rows):
        top = gap + i * (bar_h + gap)
        parts.append(f'<text x="{left - 6}" y="{top + 12}" class="tick" text-anchor="end">{escape(label[:32])}</text>')
        if value is not None:
            w = plot_w * max(0.0, value) / (x_max or 1)
            parts.append(
                f'<rect x="{left}" y="{top}" width="{w:.1f}" height="{bar_h}" class="bar"/>'
                f'<text x="{left + w + 4:.1f}" y="{top + 12}" class="tick">{number(value)}</text>'
            )
    described = "; ".join(f"{label}: {number(v) if v is not None else 'không có số liệu'}" for label, v in rows)
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" class="chart">'
        f"<title>{escape(title)}</title><desc>{escape(described)}</desc>{''.join(parts)}</svg>"
    )

"""Inline SVG charts for the HTML report: no script, no CDN, readable without a network."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

_FONT = 'font-family="system-ui,sans-serif" font-size="11"'


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def confusion_matrix(matrix: dict[str, dict[str, int]]) -> str:
    """Expected capability (rows) against predicted (columns); darker = more turns."""
    labels = sorted(set(matrix) | {p for row in matrix.values() for p in row})
    if not labels:
        return "<p>No turn had a capability expectation.</p>"
    cell, left, top = 22, 120, 110
    size = len(labels) * cell
    peak = max((n for row in matrix.values() for n in row.values()), default=1)
    parts: list[str] = []
    for i, label in enumerate(labels):
        y = top + i * cell + cell * 0.7
        parts.append(
            f'<text x="{left - 4}" y="{y:.1f}" text-anchor="end" {_FONT}>{escape(label)}</text>'
        )
        x = left + i * cell + cell * 0.7
        parts.append(
            f'<text x="{x:.1f}" y="{top - 4}" transform="rotate(-60 {x:.1f} {top - 4})" {_FONT}>'
            f"{escape(label)}</text>"
        )
    for r, want in enumerate(labels):
        for c, got in enumerate(labels):
            n = matrix.get(want, {}).get(got, 0)
            shade = 0.08 + 0.92 * n / peak if n else 0.0
            colour = "#1a7f37" if r == c else "#cf222e"
            x, y = left + c * cell, top + r * cell
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" fill="{colour}" '
                f'fill-opacity="{shade:.2f}" stroke="#ddd"><title>expected {escape(want)}, got '
                f"{escape(got)}: {n}</title></rect>"
            )
            if n:
                parts.append(
                    f'<text x="{x + cell / 2:.1f}" y="{y + cell * 0.68:.1f}" text-anchor="middle" '
                    f'{_FONT} fill="{"#fff" if shade > 0.5 else "#000"}">{n}</text>'
                )
    parts.append(
        f'<text x="{left + size / 2}" y="12" text-anchor="middle" {_FONT}>predicted</text>'
    )
    parts.append(
        f'<text x="10" y="{top + size / 2}" transform="rotate(-90 10 {top + size / 2})" '
        f'text-anchor="middle" {_FONT}>expected</text>'
    )
    return _svg(left + size + 10, top + size + 10, "".join(parts), "Capability confusion matrix")


def reliability_diagram(bins: Sequence[dict[str, float]]) -> str:
    """Accuracy per confidence bin against the diagonal of perfect calibration."""
    w, h, pad = 320, 320, 40
    plot = w - 2 * pad

    def px(v: float) -> float:
        return pad + v * plot

    def py(v: float) -> float:
        return h - pad - v * plot

    parts = [
        f'<rect x="{pad}" y="{pad}" width="{plot}" height="{plot}" fill="none" stroke="#888"/>',
        f'<line x1="{px(0)}" y1="{py(0)}" x2="{px(1)}" y2="{py(1)}" '
        'stroke="#888" stroke-dasharray="4"/>',
    ]
    for b in bins:
        x0, x1 = px(b["low"]), px(b["high"])
        parts.append(
            f'<rect x="{x0 + 1:.1f}" y="{py(b["accuracy"]):.1f}" width="{x1 - x0 - 2:.1f}" '
            f'height="{b["accuracy"] * plot:.1f}" fill="#0969da" fill-opacity="0.7">'
            f"<title>confidence {b['low']:.1f}-{b['high']:.1f}: accuracy {b['accuracy']:.2f}, "
            f"mean confidence {b['confidence']:.2f}, {int(b['count'])} turns</title></rect>"
        )
        parts.append(
            f'<circle cx="{px(b["confidence"]):.1f}" cy="{py(b["accuracy"]):.1f}" '
            'r="3" fill="#bf3989"/>'
        )
    for v in (0, 0.5, 1):
        parts.append(
            f'<text x="{px(v)}" y="{h - pad + 14}" text-anchor="middle" {_FONT}>{v}</text>'
        )
        parts.append(f'<text x="{pad - 6}" y="{py(v) + 4}" text-anchor="end" {_FONT}>{v}</text>')
    parts.append(f'<text x="{w / 2}" y="{h - 6}" text-anchor="middle" {_FONT}>confidence</text>')
    parts.append(
        f'<text x="12" y="{h / 2}" transform="rotate(-90 12 {h / 2})" '
        f'text-anchor="middle" {_FONT}>accuracy</text>'
    )
    return _svg(w, h, "".join(parts), "Confidence reliability diagram")


def histogram(values: Sequence[float], *, bins: int = 20, unit: str = "ms") -> str:
    """Counts of `values` in equal-width bins."""
    if not values:
        return "<p>No turns.</p>"
    w, h, pad = 520, 220, 40
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int((v - low) / width), bins - 1)] += 1
    peak = max(counts)
    bar = (w - 2 * pad) / bins
    parts = [f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#888"/>']
    for i, n in enumerate(counts):
        bh = (h - 2 * pad) * n / peak
        parts.append(
            f'<rect x="{pad + i * bar + 1:.1f}" y="{h - pad - bh:.1f}" width="{bar - 2:.1f}" '
            f'height="{bh:.1f}" fill="#8250df">'
            f"<title>{low + i * width:.0f}-{low + (i + 1) * width:.0f} "
            f"{unit}: {n}</title></rect>"
        )
    parts.append(f'<text x="{pad}" y="{h - pad + 14}" {_FONT}>{low:.0f} {unit}</text>')
    parts.append(
        f'<text x="{w - pad}" y="{h - pad + 14}" text-anchor="end" {_FONT}>{high:.0f} {unit}</text>'
    )
    parts.append(f'<text x="{pad - 4}" y="{pad}" text-anchor="end" {_FONT}>{peak}</text>')
    return _svg(w, h, "".join(parts), "Latency histogram")

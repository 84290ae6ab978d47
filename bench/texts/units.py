"""Units and number formats: how a rate, a size, a time or a ratio is written for people.

Every figure bench prints, tables or draws goes through one of these, so the same
quantity reads the same everywhere. Missing figures (``None``) read "-".
"""
from __future__ import annotations

import math

MISSING = "-"

# (name, size in bytes), smallest first
BINARY_UNITS = (("B", 1), ("KiB", 2**10), ("MiB", 2**20), ("GiB", 2**30), ("TiB", 2**40))


def _in_binary_unit(n: float, units) -> tuple[float, str]:
    """``n`` in the largest of ``units`` it reaches (the smallest when it reaches none)."""
    name, size = units[0]
    for unit, unit_size in units:
        if abs(n) >= unit_size:
            name, size = unit, unit_size
    return n / size, name


def format_bytes(n: float | None) -> str:
    """A measured size: '512 B', '12 KiB', '200.0 MiB', '3.4 GiB'."""
    if n is None:
        return MISSING
    value, unit = _in_binary_unit(n, BINARY_UNITS)
    return f"{value:.0f} {unit}" if unit in ("B", "KiB") else f"{value:.1f} {unit}"


def format_bytes_rough(n: float) -> str:
    """An estimate (disk or memory a run will need): '12 KiB', '512 MiB', '1.5 GiB'."""
    value, unit = _in_binary_unit(n, BINARY_UNITS[1:4])
    return f"{value:.1f} {unit}" if unit == "GiB" else f"{value:.0f} {unit}"


def format_rate(img_per_s: float | None) -> str:
    """Images per second with three significant figures or more: '1,920', '56.0', '3.21'."""
    if img_per_s is None or not math.isfinite(img_per_s):
        return MISSING
    x = img_per_s
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}" if x >= 10 else f"{x:,.2f}"


def format_rate_whole(img_per_s: float | None) -> str:
    return MISSING if img_per_s is None else f"{img_per_s:,.0f}"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def format_us(seconds) -> str:
    return f"{seconds * 1e6:,.1f}" if _is_number(seconds) else MISSING


def format_ms(seconds, decimals: int = 1) -> str:
    return f"{seconds * 1e3:,.{decimals}f}" if _is_number(seconds) else MISSING


def format_speedup(ratio: float | None) -> str:
    return MISSING if ratio is None else f"{ratio:.2f}x"


def format_percent(fraction: float | None) -> str:
    return MISSING if fraction is None else f"{fraction:.0%}"

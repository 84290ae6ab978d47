"""``bench plot``: charts for design reviews, PNG (screens) and SVG (slides); one module
per chart, ``driver`` draws them (docs/charts-and-report.md)."""
from __future__ import annotations

from bench.output.charts.driver import Charts, draw, draw_compare

__all__ = ["Charts", "draw", "draw_compare"]

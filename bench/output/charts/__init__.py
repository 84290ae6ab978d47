"""``bench plot``: charts for design reviews, PNG (screens) and SVG (slides).

``driver`` draws a file's charts (``draw``) and the machines-compared chart
(``draw_compare``); one module per chart (``throughput``, ``speedup``, ``workers``: one
per workload and image set, ``decomposition``, ``memory``, ``machines``); ``style`` is the
palette and the look of every line; ``layout`` lays out, labels and saves a figure.
"""
from __future__ import annotations

from bench.output.charts.driver import Charts, draw, draw_compare

__all__ = ["Charts", "draw", "draw_compare"]

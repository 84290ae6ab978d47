"""How bench draws: the Okabe-Ito palette, every strategy's colour and marker, line styles
by start method (nothing depends on colour alone), and the matplotlib settings."""
from __future__ import annotations

from bench.strategies import STRATEGIES
from bench.texts.messages import FOLDER_PER_TASK

# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
# Every strategy has its own colour-and-marker pair, declared on its class (``style``).
# Seven colours are not enough for eleven parallel strategies, so a Dask strategy shares
# the colour of its local counterpart (dask-chunked and processes-chunked are both blue),
# and is told apart by its marker and its dash-dot-dot line: pairs that answer the same
# question look alike. joblib (hexagons) and mpire (triangles right) take the colour of
# the pool they stand next to, on a long-dashed line (LIBRARY_LINE); multiprocessing.Pool
# (crosses) and files decoded in the parent (tri-markers) likewise.
SPARE = (("green", "H"), ("orange", ">"), ("sky", "1"), ("blue", "2"), ("purple", "3"),
         ("vermillion", "4"), ("yellow", "+"))
DASK_LINE = (0, (6, 2, 1.5, 2, 1.5, 2))   # dash-dot-dot
LIBRARY_LINE = (0, (9, 3))                # long dashes: joblib and mpire
LIBRARY_PREFIXES = ("joblib", "mpire")
METHOD_STYLE = {"none": "-", "fork": "-", "forkserver": "-.", "spawn": "--"}
SERIAL_LOOK = dict(color=OKABE_ITO["black"], linestyle="--", linewidth=1.6)    # the serial loop
IDEAL_LOOK = dict(color="#777777", linestyle=":", linewidth=2)                # perfect scaling
ONE_LOOK = dict(color=OKABE_ITO["black"], linestyle="--", linewidth=1.4)       # a speedup of 1
FILE_COLOURS = ("blue", "orange", "green", "vermillion", "purple", "sky", "black", "yellow")

RC = {
    "font.size": 13, "axes.titlesize": 14, "axes.labelsize": 13, "xtick.labelsize": 12,
    "ytick.labelsize": 12, "legend.fontsize": 12, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "svg.hashsalt": "bench",      # stable SVG ids: same data, same file
    "svg.fonttype": "none",       # SVG text stays text: editable on a slide, searchable
}
DPI = 150


def strategy_style(strategy: str) -> tuple[str, str]:
    """Colour and marker: the strategy's own (its class's ``style``), stable for one
    that declares none (by name)."""
    c, m = getattr(STRATEGIES.get(strategy), "style", None) or SPARE[sum(map(ord, strategy)) % len(SPARE)]
    return OKABE_ITO[c], m


def line_style(line) -> dict:
    """Colour and marker by strategy, line style by start method; a variant of a
    configuration (OpenCV threads set, a fixed chunk size, a folder per task) keeps both
    but draws hollow markers (and, start method aside, a dotted line), so it never looks
    like the configuration it varies."""
    strategy, chunk, method = line
    c, m = strategy_style(strategy)
    variant = "cv=" in method or FOLDER_PER_TASK in method or chunk not in ("none", "auto")
    cls = STRATEGIES.get(strategy)     # a results file's unknown strategy: by its name
    dask = cls.family == "dask" if cls is not None else strategy.startswith("dask")
    library = bool(cls.library) if cls is not None else strategy.startswith(LIBRARY_PREFIXES)
    style = DASK_LINE if dask else LIBRARY_LINE if library else METHOD_STYLE.get(method, ":")
    out = dict(color=c, marker=m, linestyle=style, linewidth=2.2, markersize=8)
    if variant:
        out.update(markerfacecolor="white", markeredgewidth=2)
    elif c == OKABE_ITO["yellow"]:
        # the palette's yellow is light on white: a dark edge keeps the marker visible
        out.update(markeredgecolor="#555555", markeredgewidth=0.8)
    return out

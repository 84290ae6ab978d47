"""The report's HTML frame: its inline stylesheet, the document around the sections, and
charts embedded as data, so the page is one file that opens anywhere, offline."""
from __future__ import annotations

import base64
import html
import os

from bench.texts import messages

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
 max-width:1320px;padding:0 1.5rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.9rem;margin-bottom:.2rem} h2{margin-top:2.4rem;border-bottom:2px solid #ddd;
 padding-bottom:.2rem} h3{margin-top:1.6rem}
.sub{color:#555;margin-top:0} .use{font-size:1.15rem;font-weight:600;margin:.4rem 0}
.warn{color:#9a3b00;font-weight:600} .note{color:#555}
table{border-collapse:collapse;font-size:.9rem;margin:.6rem 0}
th,td{border:1px solid #d6d6d6;padding:.25rem .5rem;text-align:right;white-space:nowrap}
th{background:#f2f2f2} td:first-child,th:first-child,td.t,th.t{text-align:left}
tr.pick td{background:#e8f1fb;font-weight:600}
.scroll{overflow-x:auto;max-width:100%} figure{margin:1.2rem 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.95rem} dl{display:grid;grid-template-columns:max-content 1fr;
 gap:.15rem 1rem} dt{font-weight:600} dd{margin:0}
details.run{border:1px solid #ddd;border-radius:4px;padding:.4rem .9rem;margin:.8rem 0}
details.run>summary{cursor:pointer;font-weight:600;font-size:1.05rem}
h3.answer{margin-bottom:.3rem}
"""


def escape(text) -> str:
    return html.escape(str(text))


def note(text) -> str:
    return f'<p class="note">{escape(text)}</p>'


def bullets(items_html) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items_html) + "</ul>"


def figure(paths, alt: str, caption: str) -> str:
    """A chart's ``paths`` (PNG, SVG): the PNG itself (base64) in the page, so nothing is
    fetched when the page opens; the caption names the SVG for slides."""
    png, svg = paths
    with open(png, "rb") as fh:
        data = base64.b64encode(fh.read()).decode("ascii")
    img = f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'
    slides = messages.SVG_FOR_SLIDES.format(name=os.path.basename(svg))
    return f"<figure>{img}<figcaption>{escape(caption)} {escape(slides)}</figcaption></figure>"


def document(title: str, subtitle_html: str, body: list[str]) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
           f"<h1>{escape(title)}</h1>", f'<p class="sub">{subtitle_html}</p>', *body,
           "</body></html>"]
    return "\n".join(out) + "\n"

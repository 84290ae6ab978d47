"""One table model, rendered as aligned text, Markdown, HTML and CSV: how every table
looks in each format is decided here and nowhere else."""
from __future__ import annotations

import csv
import html
from dataclasses import dataclass
from typing import Collection, Sequence

# A highlighted row (the recommended configuration) starts with this mark in text and
# HTML; the other rows start with as many spaces, so the first column stays aligned.
# Markdown shows the row's first cell in bold instead.
MARK = "→ "


def escape_markdown(text) -> str:
    """Text safe inside a Markdown table cell: a bare | would end the cell."""
    return str(text).replace("|", "\\|")


@dataclass
class Table:
    """A head, rows of cells, which columns align left, and which rows stand out.

    Cells are strings for text, Markdown and HTML (the caller formats the numbers);
    CSV writes any value as it is, ``None`` as an empty field.
    """
    head: Sequence[str]
    rows: Sequence[Sequence]
    left: Collection[int] = (0,)             # columns aligned left; the others (numbers) right
    highlight: Sequence[bool] | None = None  # one flag per row; None: no row stands out

    def _marked_rows(self) -> list[list[str]]:
        rows = [[str(c) for c in r] for r in self.rows]
        if self.highlight is not None:
            for row, flag in zip(rows, self.highlight):
                row[0] = (MARK if flag else " " * len(MARK)) + row[0]
        return rows

    def to_text(self, indent: str = "") -> str:
        """Columns padded to their widest cell, two spaces apart, a dashed rule under the head."""
        rows = self._marked_rows()
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
                  for i, h in enumerate(self.head)]

        def line(cells) -> str:
            return (indent + "  ".join(c.ljust(w) if i in self.left else c.rjust(w)
                                       for i, (c, w) in enumerate(zip(cells, widths)))).rstrip()

        return "\n".join([line(self.head), line(["-" * w for w in widths])] + [line(r) for r in rows])

    def to_markdown(self) -> str:
        def line(cells) -> str:
            return "| " + " | ".join(map(escape_markdown, cells)) + " |"

        rule = "|" + "|".join("---" if i in self.left else "---:"
                              for i in range(len(self.head))) + "|"
        out = [line(self.head), rule]
        for i, row in enumerate(self.rows):
            cells = [str(c) for c in row]
            if self.highlight is not None and self.highlight[i]:
                cells[0] = f"**{cells[0]}**"
            out.append(line(cells))
        return "\n".join(out)

    def to_html(self) -> str:
        """A scrollable table; the page's stylesheet aligns every first column left, and
        the other left-aligned columns by their class "t"."""
        def cls(i: int) -> str:
            return ' class="t"' if i > 0 and i in self.left else ""

        out = ['<div class="scroll"><table><thead><tr>']
        out += [f"<th{cls(i)}>{html.escape(str(h))}</th>" for i, h in enumerate(self.head)]
        out.append("</tr></thead><tbody>")
        for i, row in enumerate(self._marked_rows()):
            pick = ' class="pick"' if self.highlight is not None and self.highlight[i] else ""
            out.append(f"<tr{pick}>" + "".join(f"<td{cls(j)}>{html.escape(c)}</td>"
                                               for j, c in enumerate(row)) + "</tr>")
        out.append("</tbody></table></div>")
        return "".join(out)

    def to_csv(self, fh) -> None:
        """Head and rows into an open text file (opened with ``newline=""``)."""
        writer = csv.writer(fh)
        writer.writerow(self.head)
        for row in self.rows:
            writer.writerow(["" if v is None else v for v in row])

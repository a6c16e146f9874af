"""Generic pieces every report renders with: HTML tables and bars, safe terminal text.

Reports render themselves (``_html`` and ``_rich_parts`` on each report class, next to
the report type); this module knows no report type. User text is always escaped:
HTML with :func:`esc`, rich markup and control characters with :func:`cut`,
:func:`plain` and :func:`visible`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import pandas as pd

from align._safeio import terminal_text as plain
from align._safeio import visible_controls as visible

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

__all__ = [
    "CSS",
    "bar_cell",
    "colour",
    "credit_cell",
    "cut",
    "esc",
    "html_table",
    "legend",
    "matrix_table",
    "pct",
    "plain",
    "rows",
    "visible",
]

CSS = (
    "<style>.align-r table{border-collapse:collapse;margin:.4em 0 1em}"
    ".align-r td,.align-r th{border:1px solid #ddd;padding:2px 6px;text-align:left;"
    "vertical-align:top}.align-r .bar{display:inline-block;height:.7em;background:#2f81f7}"
    ".align-r small{color:#555}</style>"
)


def esc(value: Any) -> str:
    """HTML-escaped text of any value."""
    return html.escape(str(value))


def bar_cell(value: float, width: int = 80) -> str:
    """An inline HTML bar and percentage for a value in [0, 1]."""
    v = max(0.0, min(1.0, float(value)))
    return f"<span class='bar' style='width:{int(v * width)}px'></span> {v:.0%}"


def html_table(df: pd.DataFrame, bars: tuple[str, ...] = ()) -> str:
    """An HTML table of a DataFrame (floats to 2 places, lists joined, text escaped)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    body = []
    for row in rows(df):
        cells = []
        for col, val in zip(df.columns, row, strict=True):
            if col in bars:
                cells.append(f"<td>{bar_cell(val)}</td>")
            elif isinstance(val, float):
                cells.append(f"<td>{val:.2f}</td>")
            elif isinstance(val, list):
                cells.append(f"<td>{esc(', '.join(map(str, val)))}</td>")
            else:
                cells.append(f"<td>{esc(val)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def cut(text: Any, n: int = 48) -> str:
    """Shortened text, escaped for rich markup."""
    text = str(text).strip().rstrip(".")
    return plain(text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…")


def rows(df: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed Any: the columns are documented on each report)."""
    return list(df.itertuples(index=False))


def legend(creds: list[str]) -> RenderableType:
    """The numbered credential legend under a matrix table."""
    from rich.text import Text

    return Text(visible("credentials: " + "; ".join(f"#{i + 1} {c}" for i, c in enumerate(creds))))


def colour(v: float) -> str:
    """Rich colour of a share in [0, 1]: green, yellow or red."""
    return "green" if v >= 0.67 else "yellow" if v >= 0.34 else "red"


def credit_cell(v: float) -> str:
    """A coloured credit, or a dim dash for none."""
    return f"[{colour(v)}]{v:.2f}[/]" if v > 0 else "[dim]-[/]"


def matrix_table(title: str, row_header: str, weight_header: str, n_creds: int) -> Table:
    """An empty items x credentials table; credentials are numbered to fit 80 columns."""
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    t.add_column(row_header, min_width=24)
    t.add_column(weight_header, justify="right")
    for i in range(n_creds):
        t.add_column(f"#{i + 1}", justify="right")
    return t


def pct(v: float) -> str:
    """A share as a whole percentage."""
    return f"{float(v):.0%}"

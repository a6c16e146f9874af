"""The one report interface: every report renders in Jupyter, the terminal and files.

:class:`ReportMixin` gives a report class ``to_json``, ``_repr_html_``,
``write_html``, ``to_rich`` and ``__rich__`` from three things the class
defines: ``to_dict()`` (plain data), ``_html()`` (the HTML body) and
``_rich_parts()`` (rich renderables). Each class documents the tables its
``to_frame(table=...)`` returns in a module-level ``TABLES`` mapping.
:class:`Report` is the protocol that dashboards and exporters type against.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from align._config import PathLike
from align._safeio import dumps_json

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Group, RenderableType

__all__ = ["Report", "ReportMixin", "write_html_page"]


@runtime_checkable
class Report(Protocol):
    """What every align report offers (AlignmentReport, GapReport, PortfolioReport,
    PolicyReport)."""

    def to_frame(self, table: Any = ...) -> pd.DataFrame:
        """One of the report's tables as a DataFrame."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """The whole report as plain data."""
        ...

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text."""
        ...

    def _repr_html_(self) -> str: ...

    def write_html(self, path: PathLike) -> Path:
        """Write a standalone HTML page of the report."""
        ...

    def to_rich(self) -> list[RenderableType]:
        """Rich renderables for the terminal."""
        ...


def write_html_page(path: PathLike, title: str, body: str) -> Path:
    """Write ``body`` (a report's HTML) as a standalone page titled ``title``."""
    path = Path(path)
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{html.escape(title)}</title></head><body>{body}</body></html>",
        encoding="utf-8",
    )
    return path


class ReportMixin:
    """Shared rendering and export of a report (see the module docstring)."""

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def _html(self) -> str:
        raise NotImplementedError

    def _rich_parts(self) -> list[RenderableType]:
        raise NotImplementedError

    def _title(self) -> str:
        return type(self).__name__

    def to_json(self, indent: int | None = 2) -> str:
        """The report as strict JSON text (no NaN/Infinity; parses with any JSON parser)."""
        return dumps_json(self.to_dict(), indent=indent, default=str)

    def _repr_html_(self) -> str:
        return self._html()

    def write_html(self, path: PathLike) -> Path:
        """Write a standalone HTML page of the report."""
        return write_html_page(path, self._title(), self._html())

    def to_rich(self) -> list[RenderableType]:
        """Rich renderables (tables and text) for the terminal, in reading order."""
        return self._rich_parts()

    def __rich__(self) -> Group:
        from rich.console import Group

        return Group(*self._rich_parts())

"""Reports: one interface for every result a person reads.

Every report (:class:`~align.AlignmentReport`, :class:`~align.GapReport`,
:class:`~align.PortfolioReport`, :class:`~align.PolicyReport`) offers
``to_frame(table=...)``, ``to_dict()``, ``to_json()``, ``_repr_html_()`` (Jupyter),
``write_html(path)`` and ``to_rich()`` / ``__rich__`` (terminal). The report
classes live next to the computation that fills them; their presentation lives
here (``_render``), and the shared behaviour in :class:`ReportMixin`.
"""

from __future__ import annotations

from align.reports._base import Report, ReportMixin, write_html_page

__all__ = ["Report", "ReportMixin", "write_html_page"]

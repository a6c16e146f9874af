"""A CASE 1.1 package of the credential's competencies.

One ``CFDocument`` for the credential, one grouping item per framework and one
``CFItem`` per aligned competency under it. Each competency item carries its
official page: as the item's ``uri`` when that page is the competency's own
(O*NET, ESCO, Lightcast), and always in ``notes`` and in
``extensions.align.url`` (NACE and CMC publish one page for all competencies,
and CASE needs every ``uri`` to be unique).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from align.exports._alignments import Alignments, framework_meta
from align.exports._case import to_case
from align.exports._common import framework_label, require_urls
from align.frameworks import COMPETENCY_COLUMNS, Framework, FrameworkInfo

__all__ = ["credential_framework", "to_case_package"]


def credential_framework(proposal: Any, found: Alignments) -> Framework:
    """The credential's aligned competencies as a small :class:`Framework`."""
    rows = []
    for key in found.frameworks():
        mine = [a for a in found.distinct() if a.framework == key]
        meta = framework_meta(key)
        group = f"{proposal.id}:{key}"
        rows.append(
            {
                "id": group,
                "framework": proposal.id,
                "code": key,
                "label": framework_label(mine[0]),
                "description": meta.attribution,
                "kind": "area",
                "parent_id": None,
                "level": 1,
                "alt_labels": [],
                "url": meta.url,
            }
        )
        for a in mine:
            rows.append(
                {
                    "id": a.id,
                    "framework": proposal.id,
                    "code": a.code,
                    "label": a.label,
                    "description": (a.description or "")
                    + ("\n\n" if a.description else "")
                    + f"Official page: {a.url}",
                    "kind": "competency",
                    "parent_id": group,
                    "level": 2,
                    "alt_labels": [],
                    "url": str(a.url),
                }
            )
    info = FrameworkInfo(
        key=proposal.id,
        name=f"{proposal.title}: aligned competencies",
        publisher=proposal.issuing_unit,
        version=str(proposal.expiry or ""),
        source_url="",
        licence="Competency names and pages belong to their frameworks; see each group's notes.",
        attribution=" ".join(
            framework_meta(k).attribution
            for k in found.frameworks()
            if framework_meta(k).attribution
        ),
    )
    comps = pd.DataFrame(rows)
    if comps.empty:
        comps = pd.DataFrame(columns=list(COMPETENCY_COLUMNS))
    comps["level"] = comps["level"].astype("Int64")
    return Framework(info, comps)


def to_case_package(
    proposal: Any, found: Alignments, *, base_uri: str | None = None
) -> dict[str, Any]:
    """The credential's competencies as a CASE 1.1 CFPackage (JSON-ready dict).

    Raises
    ------
    ExportError
        An alignment has no resolvable official URL (the message names it).
    """
    require_urls(found)
    package = to_case(credential_framework(proposal, found), base_uri=base_uri)
    urls = Counter(str(a.url) for a in found.distinct())
    moved: dict[str, str] = {}
    for item in package["CFItems"]:
        url = item.get("extensions", {}).get("align", {}).get("url")
        if item.get("CFItemType") != "Area" and url and urls[url] == 1:
            moved[item["uri"]] = url
            item["uri"] = url
    for assoc in package["CFAssociations"]:
        for end in ("originNodeURI", "destinationNodeURI"):
            link = assoc[end]
            link["uri"] = moved.get(link["uri"], link["uri"])
    return package

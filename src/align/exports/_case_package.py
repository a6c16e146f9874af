"""A CASE 1.1 package of the credential: its outcomes and the competencies they align to.

One ``CFDocument`` for the credential, then

- a grouping item "learning outcomes" with one ``CFItem`` per outcome: the
  credential's own items, identified by ``urn:uuid`` (or ``<base URI>/CFItems/...``);
- one grouping item per framework with one ``CFItem`` per aligned competency,
  identified by the competency's **official URI** (its page, the ESCO concept
  URI). Where the framework publishes one page for several competencies (NACE,
  CMC, O*NET tasks) the page gets a fragment naming the competency's code
  (``...career-readiness-defined/#communication``), since CASE needs every URI
  to be unique;
- an ``isRelatedTo`` association from each outcome to each competency it is
  aligned to, and from each competency of the credential as a whole to the
  outcomes group.

Review state: an item nobody reviewed has ``extensions.align.status``
``unreviewed``; the document's ``extensions.align.unreviewed`` lists every
unreviewed (outcome, competency) link and its ``notes`` say how many there are.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from align._safeout import plain_text
from align._urls import quote_segment
from align.exports._alignments import Alignments, framework_meta
from align.exports._case import to_case
from align.exports._common import review_sentence
from align.exports._refuse import refuse
from align.exports._text import framework_label, target_note, target_url
from align.frameworks import COMPETENCY_COLUMNS, RELATION_COLUMNS, Framework, FrameworkInfo

__all__ = ["credential_framework", "outcome_item_id", "to_case_package"]


def outcome_item_id(proposal: Any, outcome_id: str) -> str:
    """align's id of an outcome's item in the package (``<proposal id>:outcome:<LO id>``)."""
    return f"{proposal.id}:outcome:{outcome_id}"


def _outcomes_group(proposal: Any) -> str:
    return f"{proposal.id}:outcomes"


def _outcome_rows(proposal: Any) -> list[dict[str, Any]]:
    group = _outcomes_group(proposal)
    rows: list[dict[str, Any]] = [
        {
            "id": group,
            "framework": proposal.id,
            "code": "outcomes",
            "label": plain_text(f"{proposal.title}: learning outcomes"),
            "description": "The credential's learning outcomes; each is related to the "
            "competencies it is aligned to. Competencies of the credential as a whole are "
            "related to this group.",
            "kind": "area",
            "parent_id": None,
            "level": 1,
            "alt_labels": [],
            "url": "",
        }
    ]
    for o in proposal.outcomes:
        how = "; ".join(
            t for t in (f"assessed by {o.assessment}" if o.assessment else "",
                        f"evidence: {o.evidence}" if o.evidence else "") if t
        )  # fmt: skip
        rows.append(
            {
                "id": outcome_item_id(proposal, o.id),
                "framework": proposal.id,
                "code": o.id,
                "label": plain_text(o.text),
                "description": plain_text(how),
                "kind": "competency",
                "parent_id": group,
                "level": 2,
                "alt_labels": [],
                "url": "",
            }
        )
    return rows


def _item_uri(a: Any) -> str:
    """The competency's official page; where the framework has one page for several
    competencies (NACE, CMC, an O*NET task's occupation), with its code as fragment."""
    page = target_url(a)
    shared = bool(target_note(a)) or a.framework in {"nace", "cmc"}
    return f"{page}#{quote_segment(a.code)}" if shared else page


def credential_framework(proposal: Any, found: Alignments) -> Framework:
    """The credential's outcomes and aligned competencies as a small :class:`Framework`
    (relations: outcome -> competency, ``related``)."""
    rows = _outcome_rows(proposal)
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
                "description": " ".join(t for t in (meta.attribution, meta.url) if t),
                "kind": "area",
                "parent_id": None,
                "level": 1,
                "alt_labels": [],
                "url": "",  # a group of the credential's own; the framework's page is in notes
            }
        )
        for a in mine:
            note = target_note(a)
            text = " ".join(t for t in (a.description or "", note) if t)
            rows.append(
                {
                    "id": a.id,
                    "framework": proposal.id,
                    "code": plain_text(a.code),
                    "label": plain_text(a.label),
                    "description": plain_text(
                        text + ("\n\n" if text else "") + f"Official page: {target_url(a)}"
                    ),
                    "kind": "competency",
                    "parent_id": group,
                    "level": 2,
                    "alt_labels": [],
                    "url": _item_uri(a),
                }
            )
    relations = [
        {
            "source_id": outcome_item_id(proposal, a.outcome) if a.outcome is not None else a.id,
            "target_id": a.id if a.outcome is not None else _outcomes_group(proposal),
            "relation": "related",
            "detail": "aligned",
        }
        for a in found.items
    ]
    info = FrameworkInfo(
        key=proposal.id,
        name=plain_text(f"{proposal.title}: outcomes and aligned competencies"),
        publisher=plain_text(proposal.issuing_unit),
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
    comps["level"] = comps["level"].astype("Int64")
    rel = pd.DataFrame(relations, columns=list(RELATION_COLUMNS)).drop_duplicates(
        ["source_id", "target_id"]
    )
    return Framework(info, comps[list(COMPETENCY_COLUMNS)], relations=rel)


def to_case_package(
    proposal: Any, found: Alignments, *, base_uri: str | None = None
) -> dict[str, Any]:
    """The credential's outcomes and competencies as a CASE 1.1 CFPackage (JSON-ready dict).

    Raises
    ------
    ExportError
        An alignment has no acceptable official URL, or the base URI breaks the
        URL policy (the message names it).
    """
    from align.exports._common import BadgeOptions

    refuse("case", found, BadgeOptions(base_url=base_uri or ""))
    # official URIs for the competencies, urn:uuid (or base URIs) for the credential's own items
    package = to_case(credential_framework(proposal, found), base_uri=base_uri, official_uris=True)
    by_id = {a.id: a for a in found.distinct()}
    outcome_ids = {outcome_item_id(proposal, o.id): o.id for o in proposal.outcomes}
    for item in package["CFItems"]:
        ext = item.get("extensions", {}).get("align", {})
        cid = ext.get("id")
        if cid in outcome_ids:
            ext["outcome"] = outcome_ids[cid]
        if cid in by_id:
            a = by_id[cid]
            links = [b for b in found.items if b.id == cid]
            ext.update(
                framework=a.framework,
                framework_version=a.framework_version or "",
                # unreviewed when no link to it was reviewed; which links: the document's list
                status="unreviewed" if all(b.status == "unreviewed" for b in links) else "accepted",
                description=a.description or "",
            )
    doc = package["CFDocument"]
    doc["extensions"]["align"]["credential"] = plain_text(proposal.id)
    doc["extensions"]["align"]["unreviewed"] = [
        {"outcome": a.outcome, "id": a.id} for a in found.pending()
    ]
    sentence = review_sentence(found)
    if sentence:
        doc["notes"] = f"{sentence} {doc['notes']}"
    return package

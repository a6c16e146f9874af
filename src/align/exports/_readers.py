"""Readers of the formats ``import-badge`` accepts: each finds the alignments, their
outcome and whether they were reviewed, as :class:`Found` records.

One reader per format; :mod:`align.exports._import` validates and turns the
records into reviewed alignments:

- Open Badges 3.0 (credential or Achievement) and 2.0 (BadgeClass, Assertion):
  alignments from ``alignment`` lists; the outcome from a ``ResultDescription``
  id ending in ``#outcome-<id>`` and from the criteria narrative's
  "Competencies:" line under each outcome (as align writes it); review state
  from the narrative's "(not yet reviewed)" marks, else the
  ``alignments-unreviewed`` tag;
- a Credly badge template (``alignments``; ``reporting_tags``);
- CTDL: align's two publish requests or a bare credential graph (each
  ``ceterms:ConditionProfile`` of ``ceterms:requires``; the outcome from the
  profile's own competency; the ``alignments-unreviewed`` keyword);
- a CASE package align wrote for a credential (items with
  ``extensions.align``; ``isRelatedTo`` from each outcome);
- align's alignments CSV (every column, ``status`` per row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from align._safeout import restore_csv_cell, unmarkdown_text
from align.exports._common import REGISTRIES, UNREVIEWED_MARK, UNREVIEWED_TAG
from align.exports._ctdl import PENDING_SUFFIX

__all__ = ["Found", "read_case", "read_credly", "read_csv_rows", "read_ctdl", "read_ob"]

_OUTCOME_ID = re.compile(r"#outcome-(.+)$")
_OUTCOME_LINE = re.compile(r"^- \*\*(?P<id>(?:\\.|[^*\\])+)\*\*: ")
_COMP_LINE = re.compile(r"^\s+- Competencies: (?P<refs>.*)$")
_WHOLE_LINE = re.compile(r"^Competencies of the credential as a whole: (?P<refs>.*)$")
_REF = re.compile(r"\[(?P<name>(?:\\.|[^\]\\])*)\]\(<(?P<url>[^<>\s]*)>\)")


@dataclass
class Found:
    """One alignment as a badge states it, before validation."""

    where: str  # "alignment 3", for messages
    name: Any
    url: Any
    code: Any = ""
    framework_text: Any = ""
    target_type: Any = ""
    description: Any = None
    # outcome (None: the credential as a whole) -> whether that link is unreviewed
    outcomes: dict[str | None, bool] = field(default_factory=dict)
    framework: str = ""  # known key, when the format says it (CASE, CSV)
    version: str = ""
    cid: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # CSV: score, source, reviewer, status


def _types(obj: Any) -> set[str]:
    t = obj.get("type", obj.get("@type", [])) if isinstance(obj, dict) else []
    return {t} if isinstance(t, str) else {str(x) for x in t} if isinstance(t, list) else set()


def _refs(text: str) -> list[tuple[str, str, bool]]:
    """(name, url, unreviewed) of each competency reference on one narrative line."""
    out = []
    hits = list(_REF.finditer(text))
    for i, m in enumerate(hits):
        tail = text[m.end() : hits[i + 1].start() if i + 1 < len(hits) else len(text)]
        out.append(
            (
                unmarkdown_text(m.group("name")),
                m.group("url"),
                tail.rstrip("; ").endswith(UNREVIEWED_MARK),
            )
        )
    return out


def narrative_links(narrative: Any) -> dict[tuple[str, str], dict[str | None, bool]]:
    """(name, url) -> {outcome: unreviewed} from a criteria narrative align wrote."""
    links: dict[tuple[str, str], dict[str | None, bool]] = {}
    if not isinstance(narrative, str):
        return links
    outcome: str | None = None
    for line in narrative.splitlines():
        m = _OUTCOME_LINE.match(line)
        if m:
            outcome = unmarkdown_text(m.group("id"))
            continue
        comp = _COMP_LINE.match(line)
        whole = _WHOLE_LINE.match(line)
        if comp and outcome is not None:
            refs, where = _refs(comp.group("refs")), outcome
        elif whole:
            refs, where = _refs(whole.group("refs")), None
        else:
            continue
        for name, url, pending in refs:
            links.setdefault((name, url), {})[where] = pending
    return links


def _narrative(obj: dict[str, Any]) -> Any:
    crit = obj.get("criteria")
    return crit.get("narrative") if isinstance(crit, dict) else None


def _tagged(values: Any) -> bool:
    return isinstance(values, list) and UNREVIEWED_TAG in values


def read_ob(obj: dict[str, Any], tags_key: str) -> list[Found]:
    """An OB 3.0 Achievement (``tags_key="tag"``) or OB 2.0 BadgeClass (``"tags"``)."""
    tagged = _tagged(obj.get(tags_key))
    links = narrative_links(_narrative(obj))
    found: dict[tuple[str, str, str], Found] = {}
    n = 0

    def add(al: Any, outcome: str | None, from_result: bool) -> None:
        nonlocal n
        n += 1
        if not isinstance(al, dict):
            return
        key = (str(al.get("targetName")), str(al.get("targetUrl")), str(al.get("targetCode")))
        f = found.get(key)
        if f is None:
            f = found[key] = Found(
                f"alignment {n}",
                al.get("targetName"),
                al.get("targetUrl"),
                al.get("targetCode") or "",
                al.get("targetFramework") or "",
                al.get("targetType") or "",
                al.get("targetDescription"),
            )
        if from_result:
            f.outcomes[outcome] = tagged

    for rd in obj.get("resultDescription") or []:
        if isinstance(rd, dict):
            m = _OUTCOME_ID.search(str(rd.get("id") or ""))
            for al in rd.get("alignment") or []:
                add(al, unquote(m.group(1)) if m else None, m is not None)
    for al in obj.get("alignment") or []:
        add(al, None, False)
    for key, f in found.items():
        # the criteria text says, per outcome, which links nobody reviewed
        f.outcomes.update(links.get(key[:2], {}))
        if not f.outcomes:
            f.outcomes = {None: tagged}
    return list(found.values())


def read_credly(obj: dict[str, Any]) -> list[Found]:
    """A Credly badge template (its ``alignments``; no outcomes)."""
    tagged = _tagged(obj.get("reporting_tags"))
    out = []
    for n, al in enumerate(obj.get("alignments") or [], start=1):
        if isinstance(al, dict):
            out.append(
                Found(
                    f"alignment {n}",
                    al.get("name"),
                    al.get("url"),
                    al.get("code") or "",
                    al.get("framework") or "",
                    "",
                    al.get("description"),
                    {None: tagged},
                )
            )
    return out


def _text(value: Any, language: str = "") -> Any:
    """The text of a CTDL language map (the given language, else the first)."""
    if isinstance(value, dict):
        if language and language in value:
            return value[language]
        return next(iter(value.values()), None) if value else None
    return value


def _registry_record(url: Any) -> bool:
    return isinstance(url, str) and any(
        url.startswith(f"{b}/resources/") for b in REGISTRIES.values()
    )


def read_ctdl(graph: list[Any], language: str = "") -> list[Found]:
    """The credential of a CTDL graph: each ConditionProfile's competencies."""
    cred = next(
        (e for e in graph if isinstance(e, dict) and isinstance(e.get("ceterms:requires"), list)),
        None,
    )
    if cred is None:
        return []
    keywords = _text(cred.get("ceterms:keyword"), language)
    tagged = _tagged(keywords if isinstance(keywords, list) else [keywords])
    profiles = [p for p in cred["ceterms:requires"] if isinstance(p, dict)]
    names = [str(_text(p.get("ceterms:name"), language) or "") for p in profiles]
    # align puts unreviewed alignments in profiles of their own; a tag without them
    # (another tool's export) marks every alignment unreviewed.
    per_profile = any(n.endswith(PENDING_SUFFIX) for n in names)
    found: dict[tuple[str, str], Found] = {}
    n = 0
    for profile, name in zip(profiles, names, strict=True):
        pending = name.endswith(PENDING_SUFFIX) if per_profile else tagged
        caos = [c for c in profile.get("ceterms:targetCompetency") or [] if isinstance(c, dict)]
        own = next((c for c in caos if _registry_record(c.get("ceterms:framework"))), None)
        outcome = str(own.get("ceterms:codedNotation") or "") or None if own else None
        for cao in caos:
            if cao is own:
                continue
            n += 1
            name = _text(cao.get("ceterms:targetNodeName"), language)
            url = cao.get("ceterms:targetNode")
            key = (str(name), str(url))
            f = found.get(key)
            if f is None:
                f = found[key] = Found(
                    f"alignment {n}",
                    name,
                    url,
                    cao.get("ceterms:codedNotation") or "",
                    _text(cao.get("ceterms:frameworkName"), language) or "",
                    "",
                    _text(cao.get("ceterms:targetNodeDescription"), language),
                )
            f.outcomes[outcome] = pending
    return list(found.values())


def read_case(package: dict[str, Any]) -> list[Found]:
    """A CASE package align wrote for a credential: its competency items and outcomes."""
    doc_ext = package["CFDocument"].get("extensions", {}).get("align", {})
    pending = {
        (p.get("outcome"), str(p.get("id")))
        for p in doc_ext.get("unreviewed") or []
        if isinstance(p, dict)
    }
    items = [i for i in package.get("CFItems") or [] if isinstance(i, dict)]
    by_uri: dict[str, dict[str, Any]] = {str(i.get("uri")): i for i in items}
    outcomes: dict[str, set[str | None]] = {}
    for assoc in package.get("CFAssociations") or []:
        if not isinstance(assoc, dict) or assoc.get("associationType") != "isRelatedTo":
            continue
        origin = by_uri.get(str((assoc.get("originNodeURI") or {}).get("uri")), {})
        dest = by_uri.get(str((assoc.get("destinationNodeURI") or {}).get("uri")), {})
        o_ext = origin.get("extensions", {}).get("align", {})
        d_ext = dest.get("extensions", {}).get("align", {})
        if "outcome" in o_ext and d_ext.get("framework"):
            outcomes.setdefault(str(d_ext.get("id")), set()).add(str(o_ext["outcome"]))
        elif o_ext.get("framework"):
            outcomes.setdefault(str(o_ext.get("id")), set()).add(None)
    out = []
    for n, item in enumerate(items, start=1):
        ext = item.get("extensions", {}).get("align", {})
        if not isinstance(ext, dict) or not ext.get("framework"):
            continue
        cid = str(ext.get("id") or "")
        links = outcomes.get(cid) or {None}
        out.append(
            Found(
                f"item {n}",
                item.get("fullStatement"),
                ext.get("url"),
                item.get("humanCodingScheme") or "",
                "",
                "",
                ext.get("description") or None,
                {o: (o, cid) in pending for o in links},
                framework=str(ext.get("framework")),
                version=str(ext.get("framework_version") or ""),
                cid=cid,
            )
        )
    return out


def read_csv_rows(rows: list[dict[str, Any]]) -> list[Found]:
    """Rows of align's alignments CSV (formula prefixes undone)."""
    out = []
    for n, raw in enumerate(rows, start=2):
        row = {str(k): restore_csv_cell(v) for k, v in raw.items() if k is not None}
        status = str(row.get("status") or "accepted").strip()
        out.append(
            Found(
                f"row {n}",
                row.get("label"),
                row.get("url") or None,
                row.get("code") or "",
                "",
                "",
                row.get("description") or None,
                {str(row.get("outcome") or "") or None: status == "unreviewed"},
                framework=str(row.get("framework") or ""),
                version=str(row.get("framework_version") or ""),
                cid=str(row.get("competency_id") or ""),
                extra={
                    "status": status,
                    "score": row.get("score"),
                    "source": row.get("source"),
                    "reviewed_by": row.get("reviewed_by"),
                    "reviewed_at": row.get("reviewed_at"),
                },
            )
        )
    return out

"""CASE 1.1 export: any Framework as a 1EdTech CFPackage (CASE tools, badge platforms).

:func:`to_case` / :func:`write_case` export a framework as a CFPackage that
validates against the official CASE 1.1 JSON Schema. Identifiers are UUIDv5
derived from align's ids, so exporting the same framework twice gives the same
identifiers and a CASE server sees an update, not a new framework. align's own
ids, kinds, levels, alternative labels and URLs travel in ``extensions`` so a
round trip through :func:`align.load_case` loses nothing. Items with an official
page are identified by it (their ``uri``), so a CASE consumer can resolve them.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _package_version
from pathlib import Path
from typing import Any

import pandas as pd

from align._config import PathLike
from align._safeio import write_text_atomic
from align._urls import quote_segment, url_problem
from align._warnings import warn
from align.frameworks._case_format import CASE_NAMESPACE, ITEM_TYPES, case_uuid
from align.frameworks._model import KINDS, Framework

__all__ = ["CASE_NAMESPACE", "ITEM_TYPES", "to_case", "write_case"]


def _timestamp(text: str) -> str:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _official_uris(comps: Any) -> dict[str, str]:
    """align id -> the item's official URI: its page when no other item of the package shares
    it, else the page with the item's code as fragment; items without an acceptable page are
    left out (they get ``urn:uuid`` or base-URI identifiers)."""
    pages = {
        str(cid): str(url)
        for cid, url in zip(comps["id"], comps["url"], strict=True)
        if isinstance(url, str) and url_problem(url) is None
    }
    shared = Counter(pages.values())
    code_of = dict(zip(comps["id"].astype(str), comps["code"].astype(str), strict=True))
    out = {}
    for cid, page in pages.items():
        frag = quote_segment(code_of.get(cid) or cid)
        out[cid] = page if shared[page] == 1 and "#" not in page else f"{page.split('#')[0]}#{frag}"
    taken = Counter(out.values())
    return {cid: u for cid, u in out.items() if taken[u] == 1}


def to_case(
    framework: Framework, *, base_uri: str | None = None, official_uris: bool | None = None
) -> dict[str, Any]:
    """Export a framework as a CASE 1.1 CFPackage (a JSON-ready dict).

    Parameters
    ----------
    framework : Framework
        Any framework (occupations are not part of CASE and are left out).
    base_uri : str, optional
        Base of the URIs of the exported objects, for a CASE server that will
        host them (``https://case.example.edu/ims/case/v1p1`` gives
        ``.../CFItems/<identifier>``). Without it, URIs are ``urn:uuid:<identifier>``.
    official_uris : bool, optional
        Identify each item that has an official page by that page (resolvable,
        stable): the page itself, or with the item's code as fragment where
        several items share it (NACE, CMC, O*NET tasks). Default: when there is
        no ``base_uri``. Other items keep ``urn:uuid`` or base-URI identifiers.

    Returns
    -------
    dict
        ``CFDocument``, ``CFItems``, ``CFAssociations`` (``isChildOf`` from
        ``parent_id``; ``isRelatedTo``/``exactMatchOf`` from relations inside the
        framework) and ``CFDefinitions`` (item types, licence). Identifiers are
        UUIDv5 of align's ids, so they are stable across exports.

    Examples
    --------
    >>> from align.frameworks.nace import load_nace
    >>> pkg = to_case(load_nace(data_dir="/nonexistent"))
    >>> pkg["CFDocument"]["title"], len(pkg["CFItems"])
    ('NACE Career Readiness Competencies (align paraphrase)', 51)
    >>> item = next(i for i in pkg["CFItems"] if i["humanCodingScheme"] == "communication")
    >>> item["fullStatement"], item["CFItemType"], item["identifier"]
    ('Communication', 'Competency', '...')
    """
    info = framework.info
    comps = framework.competencies
    dupes = comps["id"].duplicated()
    if dupes.any():
        warn(
            f"framework '{info.key}' has {int(dupes.sum())} repeated competency id(s) (first: "
            f"{comps.loc[dupes, 'id'].iloc[0]!r}); exported the first row of each, since CASE "
            "identifiers must be unique.",
        )
        comps = comps[~dupes]

    def uri(kind: str, ident: str) -> str:
        return f"{base_uri.rstrip('/')}/{kind}/{ident}" if base_uri else f"urn:uuid:{ident}"

    when = _timestamp(info.retrieved_at)
    doc_id = case_uuid("CFDocument", info.key, info.version)
    doc_link = {
        "title": info.name or info.key,
        "identifier": doc_id,
        "uri": uri("CFDocuments", doc_id),
    }
    licence_id = case_uuid("CFLicense", info.key, info.licence)
    licence_link = {
        "title": info.licence or "unspecified",
        "identifier": licence_id,
        "uri": uri("CFLicenses", licence_id),
    }
    try:
        exporter = f"align {_package_version('align')}"
    except PackageNotFoundError:
        exporter = "align"
    document: dict[str, Any] = {
        "identifier": doc_id,
        "uri": doc_link["uri"],
        "creator": info.publisher or "unknown",
        "title": doc_link["title"],
        "lastChangeDateTime": when,
        "publisher": info.publisher or "unknown",
        "description": f"{info.name} {info.version}".strip() + f", exported by {exporter}.",
        "version": info.version,
        "caseVersion": "1.1",
        "licenseURI": licence_link,
        "notes": (
            f"Exported by {exporter} from framework '{info.key}' (version {info.version or '?'}"
            f", read {info.retrieved_at}"
            + (f" from {info.source_path}" if info.source_path else ", built into align")
            + f"). Attribution: {info.attribution}"
        ),
        "extensions": {"align": {**info.to_dict(), "exported_by": exporter}},
    }
    if info.source_url:
        document["officialSourceURL"] = info.source_url

    kinds_used = list(dict.fromkeys(comps["kind"]))
    type_links = {}
    item_types = []
    for n, kind in enumerate(kinds_used, start=1):
        tid = case_uuid("CFItemType", kind)
        type_links[kind] = {
            "title": ITEM_TYPES[kind],
            "identifier": tid,
            "uri": uri("CFItemTypes", tid),
        }
        item_types.append(
            {
                "identifier": tid,
                "uri": type_links[kind]["uri"],
                "title": ITEM_TYPES[kind],
                "description": KINDS[kind],
                "hierarchyCode": str(n),
                "typeCode": kind,
                "lastChangeDateTime": when,
            }
        )

    records: list[dict[Any, Any]] = comps.to_dict("records")
    idents = {cid: case_uuid("CFItem", cid) for cid in comps["id"]}
    official = (
        _official_uris(comps) if (base_uri is None if official_uris is None else official_uris)
        else {}
    )  # fmt: skip
    items: list[dict[str, Any]] = []
    links: dict[str, dict[str, str]] = {}
    for row in records:
        ident = idents[row["id"]]
        statement = row["label"] or row["code"] or row["id"]
        item_uri = official.get(str(row["id"])) or uri("CFItems", ident)
        links[row["id"]] = {"title": statement, "identifier": ident, "uri": item_uri}
        item: dict[str, Any] = {
            "identifier": ident,
            "fullStatement": statement,
            "uri": links[row["id"]]["uri"],
            "CFItemType": ITEM_TYPES[row["kind"]],
            "CFItemTypeURI": type_links[row["kind"]],
            "lastChangeDateTime": when,
        }
        if row["code"]:
            item["humanCodingScheme"] = row["code"]
        if row["description"]:
            item["notes"] = row["description"]
        item["extensions"] = {
            "align": {
                "id": row["id"],
                "kind": row["kind"],
                "level": None if pd.isna(row["level"]) else int(row["level"]),
                "alt_labels": list(row["alt_labels"]),
                "url": row["url"],
            }
        }
        items.append(item)

    associations: list[dict[str, Any]] = []
    orphans: list[str] = []
    sequence: dict[str, int] = defaultdict(int)

    def associate(kind: str, child: str, parent_link: dict[str, str], seq: int | None) -> None:
        aid = case_uuid("CFAssociation", kind, child, parent_link["identifier"])
        assoc: dict[str, Any] = {
            "identifier": aid,
            "associationType": kind,
            "uri": uri("CFAssociations", aid),
            "originNodeURI": links[child],
            "destinationNodeURI": parent_link,
            "lastChangeDateTime": when,
        }
        if seq is not None:
            assoc["sequenceNumber"] = seq
        associations.append(assoc)

    for row in records:
        parent = row["parent_id"]
        if parent is not None and parent not in links:
            orphans.append(row["id"])
            parent = None
        key = parent or ""
        sequence[key] += 1
        associate("isChildOf", row["id"], links[parent] if parent else doc_link, sequence[key])
    if orphans:
        warn(
            f"{len(orphans)} competencies of '{info.key}' have a parent that is not in the "
            f"framework (first: {orphans[0]!r}); they were exported at the top level.",
        )
    rel = framework.relations
    inner = rel[rel["source_id"].isin(links) & rel["target_id"].isin(links)]
    parent_of = dict(zip(comps["id"], comps["parent_id"], strict=True))
    for r in inner.to_dict("records"):
        source, target = r["source_id"], r["target_id"]
        if r["relation"] == "broader":
            # Second and further parents (ESCO skills sit in several groups); the main one,
            # parent_id, was written above so importers see it first.
            if parent_of.get(source) != target and source != target:
                associate("isChildOf", source, links[target], None)
        elif r["relation"] in {"related", "crosswalk"}:
            exact = r["detail"] in {"exactMatch", "exactMatchOf"}
            associate("exactMatchOf" if exact else "isRelatedTo", source, links[target], None)

    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFItemTypes": item_types,
            "CFLicenses": [
                {
                    "identifier": licence_id,
                    "uri": licence_link["uri"],
                    "title": licence_link["title"],
                    "licenseText": "\n\n".join(t for t in (info.licence, info.attribution) if t)
                    or "unspecified",
                    "lastChangeDateTime": when,
                }
            ],
        },
    }


def write_case(framework: Framework, path: PathLike, *, base_uri: str | None = None) -> Path:
    """Write a framework as a CASE 1.1 CFPackage JSON file.

    Parameters
    ----------
    framework : Framework
        The framework to export (see :func:`to_case`).
    path : str or path
        Where to write; parent folders are created.
    base_uri : str, optional
        Passed to :func:`to_case`.

    Returns
    -------
    Path
        The file written.
    """
    text = json.dumps(to_case(framework, base_uri=base_uri), ensure_ascii=False, indent=2)
    return write_text_atomic(path, text + "\n", "CASE package")

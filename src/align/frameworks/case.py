"""CASE 1.1 (1EdTech Competencies and Academic Standards Exchange): import and export.

A CASE *CFPackage* is one JSON object: a ``CFDocument`` (the framework: title,
creator, version, licence), ``CFItems`` (the competencies: ``fullStatement``,
``humanCodingScheme``, ``CFItemType``, ...) and ``CFAssociations`` linking them
(``isChildOf`` builds the hierarchy). State education agencies, OpenSALT and
the CASE Network publish frameworks this way, and badge platforms read it.

- :func:`load_case` reads a CFPackage into a :class:`Framework`: ``fullStatement``
  becomes ``label``, ``abbreviatedStatement`` and ``alternativeLabel`` become
  ``alt_labels``, ``humanCodingScheme`` the ``code``, ``notes`` the
  ``description``, the item type the ``kind``, ``isChildOf`` the ``parent_id``,
  other associations the ``relations``.
- The writer, :func:`align.exports.to_case` / :func:`align.exports.write_case`,
  exports any Framework as a CFPackage that validates against the official
  CASE 1.1 JSON Schema. Reader and writer share their vocabulary (item types,
  association types, identifier namespace) from
  :mod:`align.frameworks._case_format`; frameworks never import exports.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from align._config import PathLike
from align._warnings import warn
from align.exceptions import AlignDataWarning, FrameworkFormatError, FrameworkNotFoundError
from align.frameworks._builtin import slug
from align.frameworks._case_format import (
    ASSOCIATION_RELATIONS,
    CASE_NAMESPACE,
    CFPACKAGE_SHAPE,
    ITEM_TYPES,
    TYPE_KINDS,
)
from align.frameworks._model import COMPETENCY_COLUMNS, KINDS, Framework, FrameworkInfo
from align.frameworks._tables import TableSource, read_json

__all__ = ["CASE_NAMESPACE", "ITEM_TYPES", "load_case"]


# == import ===================================================================
def load_case(path: PathLike, *, key: str | None = None) -> Framework:
    """Load a CASE 1.1 CFPackage (JSON) as a framework.

    Parameters
    ----------
    path : str or path
        The CFPackage JSON file (also accepted: ``{"CFPackage": {...}}``).
    key : str, optional
        Framework key used in the ids (``<key>:<item identifier>``). Defaults
        to the key recorded by align when it exported the file, else ``case``.

    Returns
    -------
    Framework
        One competency per CFItem; ``level`` is the depth below the CFDocument
        (1 = top) unless align recorded it.

    Raises
    ------
    FrameworkNotFoundError
        ``path`` does not exist.
    FrameworkFormatError
        The file is empty, is not valid JSON, or is JSON that is not a CFPackage.

    Examples
    --------
    >>> import json, tempfile, os
    >>> pkg = {"CFDocument": {"identifier": "d", "uri": "u", "title": "Demo", "creator": "Us",
    ...                       "lastChangeDateTime": "2024-01-01T00:00:00Z"},
    ...        "CFItems": [{"identifier": "a", "fullStatement": "Data literacy",
    ...                     "humanCodingScheme": "DL", "uri": "u/a",
    ...                     "lastChangeDateTime": "2024-01-01T00:00:00Z"}]}
    >>> f = os.path.join(tempfile.mkdtemp(), "demo.json")
    >>> with open(f, "w") as fh:
    ...     json.dump(pkg, fh)
    >>> fw = load_case(f)
    >>> row = fw.competencies.iloc[0]
    >>> row["id"], row["code"], row["label"], row["kind"], int(row["level"])
    ('case:a', 'DL', 'Data literacy', 'competency', 1)
    """
    file = Path(path).expanduser()
    if not file.is_file():
        raise FrameworkNotFoundError(
            f"CASE file '{file}' does not exist or is not a file; give the path of a CFPackage "
            "JSON file."
        )
    package = _read_package(file)
    doc = package["CFDocument"]
    doc_ext = _align_extension(doc)
    key = key or _text(doc_ext.get("key")) or "case"
    items = package.get("CFItems") or []
    if not isinstance(items, list):
        raise FrameworkFormatError(
            f"CASE file '{file}': 'CFItems' is a {type(items).__name__}, expected a list of "
            f"items; {CFPACKAGE_SHAPE}."
        )
    if not items:
        warn(
            f"CASE file '{file}' has a CFDocument but no CFItems; the framework is empty.",
            AlignDataWarning,
        )
    rows, ids = _item_rows(items, file, key, doc)
    doc_ids = {str(doc.get("identifier", "")), str(doc.get("uri", ""))} - {""}
    relations = _apply_associations(package.get("CFAssociations") or [], rows, ids, doc_ids, file)
    info = _info(doc, doc_ext, key, file)
    comps = pd.DataFrame(rows, columns=[*COMPETENCY_COLUMNS, *_PRIVATE_KEYS])
    return Framework(info, comps.drop(columns=list(_PRIVATE_KEYS)), relations=relations)


_JSON_TYPES = {
    dict: "object",
    list: "list",
    str: "string",
    int: "number",
    float: "number",
    bool: "true/false",
    type(None): "null",
}
_DEPTH = object()  # marker: no recorded level, use the depth in the hierarchy
# Private keys ride along in the rows while associations are resolved, then are dropped.
_PRIVATE_KEYS = ("_identifier", "_has_type", "_ext_level")


def _read_package(file: Path) -> dict[str, Any]:
    data = read_json(TableSource(file), what=f"a CASE 1.1 CFPackage: {CFPACKAGE_SHAPE}")
    if isinstance(data, dict) and isinstance(data.get("CFPackage"), dict):
        data = data["CFPackage"]
    if not isinstance(data, dict) or not isinstance(data.get("CFDocument"), dict):
        if isinstance(data, dict) and "CFDocument" in data:
            found = f"'CFDocument' is a JSON {_JSON_TYPES.get(type(data['CFDocument']), '?')}"
        elif isinstance(data, dict):
            keys = list(data)[:8]
            found = f"a JSON object with keys {keys}" if keys else "an empty JSON object"
            found += ", with no 'CFDocument'"
        elif isinstance(data, list):
            found = f"a JSON list of {len(data)} element(s), not an object"
        else:
            found = f"a single JSON {_JSON_TYPES.get(type(data), '?')}, not an object"
        raise FrameworkFormatError(
            f"CASE file '{file}' is not a CASE CFPackage: found {found}. "
            f"{CFPACKAGE_SHAPE[0].upper()}{CFPACKAGE_SHAPE[1:]}. (A Lightcast skills "
            "response or another JSON list of skills is read by align.load_framework.)"
        )
    return data


def _align_extension(obj: dict[str, Any]) -> dict[str, Any]:
    ext = obj.get("extensions")
    found = ext.get("align") if isinstance(ext, dict) else None
    return found if isinstance(found, dict) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _verbatim(value: Any) -> str:
    """The text as published (sources such as ESCO keep trailing spaces), "" when blank."""
    return value if isinstance(value, str) and value.strip() else ""


def _item_rows(
    items: list[Any], file: Path, key: str, doc: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rows: list[dict[str, Any]] = []
    ids: dict[str, int] = {}  # item identifier or uri -> row position
    skipped = 0
    fallback_url = _text(doc.get("officialSourceURL")) or _text(doc.get("uri"))
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise FrameworkFormatError(
                f"CASE file '{file}': CFItems[{n}] is a {type(item).__name__}, expected an "
                f"object; {CFPACKAGE_SHAPE}."
            )
        ident = _text(item.get("identifier"))
        label = (
            _verbatim(item.get("fullStatement"))
            or _verbatim(item.get("abbreviatedStatement"))
            or _verbatim(item.get("humanCodingScheme"))
        )
        if not ident or not label or ident in ids:
            skipped += 1
            continue
        ext = _align_extension(item)
        ext_id = _text(ext.get("id"))
        alt = [
            s
            for s in (_text(item.get("abbreviatedStatement")), _text(item.get("alternativeLabel")))
            if s and s != label
        ]
        if isinstance(ext.get("alt_labels"), list):
            alt = [a for a in ext["alt_labels"] if isinstance(a, str) and a.strip()]
        type_name = _text(item.get("CFItemType"))
        type_uri = item.get("CFItemTypeURI")
        if not type_name and isinstance(type_uri, dict):
            type_name = _text(type_uri.get("title"))
        ext_kind = ext.get("kind")
        kind = (
            ext_kind
            if isinstance(ext_kind, str) and ext_kind in KINDS
            else TYPE_KINDS.get(slug(type_name))
        )
        uri = _text(item.get("uri"))
        ids[ident] = len(rows)
        if uri:
            ids.setdefault(uri, len(rows))
        rows.append(
            {
                "id": ext_id if ext_id.startswith(f"{key}:") else f"{key}:{ident}",
                "framework": key,
                "code": _verbatim(item.get("humanCodingScheme")) or ident,
                "label": label,
                "description": _verbatim(item.get("notes")),
                "kind": kind or "competency",
                "parent_id": None,
                "level": pd.NA,
                "alt_labels": alt,
                "url": _text(ext.get("url"))
                if "url" in ext
                else (uri if uri.startswith(("http://", "https://")) else fallback_url),
                "_identifier": ident,
                "_has_type": kind is not None,
                # align records the level (None when unknown); otherwise it is the depth.
                "_ext_level": _level(ext.get("level", _DEPTH)),
            }
        )
    if skipped:
        warn(
            f"CASE file '{file}': skipped {skipped} CFItem(s) with no identifier, no statement "
            "or a repeated identifier.",
            AlignDataWarning,
        )
    return rows, ids


def _level(value: Any) -> Any:
    """The level align recorded: a whole number >= 0, None, or the depth marker."""
    if value is _DEPTH or value is None:
        return value
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _node_key(link: Any) -> list[str]:
    if not isinstance(link, dict):
        return []
    return [v for v in (_text(link.get("identifier")), _text(link.get("uri"))) if v]


def _apply_associations(
    assocs: Any,
    rows: list[dict[str, Any]],
    ids: dict[str, int],
    doc_ids: set[str],
    file: Path,
) -> pd.DataFrame:
    if not isinstance(assocs, list):
        raise FrameworkFormatError(
            f"CASE file '{file}': 'CFAssociations' is a {type(assocs).__name__}, expected a "
            f"list; {CFPACKAGE_SHAPE}."
        )

    def find(link: Any) -> int | None:
        return next((ids[k] for k in _node_key(link) if k in ids), None)

    parents: dict[int, list[int]] = defaultdict(list)
    relations: list[dict[str, Any]] = []
    dangling = 0
    for a in assocs:
        if not isinstance(a, dict):
            continue
        kind = a.get("associationType")
        if not isinstance(kind, str):
            continue
        child, target = find(a.get("originNodeURI")), find(a.get("destinationNodeURI"))
        if kind == "isChildOf":
            if child is None:
                dangling += 1
            elif target is not None and target != child:
                if target not in parents[child]:
                    parents[child].append(target)
            elif not set(_node_key(a.get("destinationNodeURI"))) & doc_ids:
                dangling += 1
        elif kind in ASSOCIATION_RELATIONS and child is not None and target is not None:
            relations.append(
                {
                    "source_id": rows[child]["id"],
                    "target_id": rows[target]["id"],
                    "relation": ASSOCIATION_RELATIONS[kind],
                    "detail": kind,
                }
            )
    if dangling:
        warn(
            f"CASE file '{file}': {dangling} isChildOf association(s) point to items that are "
            "not in the package; those items were placed at the top of the hierarchy.",
            AlignDataWarning,
        )
    cycle = _cut_cycles(parents)
    if cycle:
        names = ", ".join(repr(rows[i]["_identifier"]) for i in sorted(cycle)[:5])
        warn(
            f"CASE file '{file}': {len(cycle)} CFItem(s) are their own ancestors through "
            f"isChildOf associations (a cycle: {names}{', ...' if len(cycle) > 5 else ''}); "
            "their parent links in the cycle were ignored and they were kept as competencies "
            "at the top of the hierarchy. Fix the associations in the CASE tool.",
            AlignDataWarning,
        )
    children: dict[int, list[int]] = defaultdict(list)
    for child, options in parents.items():
        # CASE lets an item sit under several parents; the first listed is the main one (align
        # writes it first) and the others are kept as "broader" relations.
        rows[child]["parent_id"] = rows[options[0]]["id"]
        children[options[0]].append(child)
        for other in options[1:]:
            relations.append(
                {
                    "source_id": rows[child]["id"],
                    "target_id": rows[other]["id"],
                    "relation": "broader",
                    "detail": "isChildOf",
                }
            )
    # Depth from the top, breadth-first; items caught in a parent cycle are cut loose at level 1.
    depth: dict[int, int] = {}
    frontier = [i for i in range(len(rows)) if i not in parents]
    level = 1
    while frontier:
        nxt = []
        for i in frontier:
            if i not in depth:
                depth[i] = level
                nxt.extend(children.get(i, []))
        frontier, level = nxt, level + 1
    for i, row in enumerate(rows):
        if i not in depth:
            row["parent_id"] = None
        ext_level = row["_ext_level"]
        if ext_level is _DEPTH:
            row["level"] = depth.get(i, 1)
        else:
            row["level"] = ext_level if isinstance(ext_level, int) else pd.NA
        if not row["_has_type"]:
            row["kind"] = "area" if children.get(i) else "competency"
    return pd.DataFrame(relations, columns=["source_id", "target_id", "relation", "detail"])


def _cut_cycles(parents: dict[int, list[int]]) -> set[int]:
    """Remove parent links that close a cycle; return the items that were in one.

    Iterative (no recursion), so a long chain is safe. An item whose main parent
    leads back to it loses the links that form the cycle.
    """
    in_cycle: set[int] = set()
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    for start in list(parents):
        if state.get(start):
            continue
        path: list[int] = []
        node: int | None = start
        while node is not None and not state.get(node):
            state[node] = 1
            path.append(node)
            opts = parents.get(node)
            node = opts[0] if opts else None
        if node is not None and state.get(node) == 1:
            loop = path[path.index(node) :]
            in_cycle.update(loop)
        for n in path:
            state[n] = 2
    for i in in_cycle:
        # Drop every parent that is also in a cycle; a parent outside it is kept.
        kept = [p for p in parents[i] if p not in in_cycle]
        if kept:
            parents[i] = kept
        else:
            del parents[i]
    return in_cycle


def _info(doc: dict[str, Any], ext: dict[str, Any], key: str, file: Path) -> FrameworkInfo:
    title = _text(doc.get("title")) or file.stem
    creator = _text(doc.get("creator"))
    publisher = _text(doc.get("publisher")) or creator
    licence = doc.get("licenseURI")
    licence_title = _text(licence.get("title")) if isinstance(licence, dict) else ""
    if ext:
        # align wrote this file: restore the original provenance.
        return FrameworkInfo(
            key=key,
            name=str(ext.get("name") or title),
            publisher=str(ext.get("publisher") or publisher),
            version=str(ext.get("version") or _text(doc.get("version"))),
            source_url=str(ext.get("source_url") or _text(doc.get("officialSourceURL"))),
            licence=str(ext.get("licence") or licence_title),
            attribution=str(ext.get("attribution") or ""),
            source_path=str(file),
        )
    by = f"{creator} ({publisher})" if publisher and publisher != creator else creator
    return FrameworkInfo(
        key=key,
        name=title,
        publisher=publisher,
        version=_text(doc.get("version")) or _text(doc.get("lastChangeDateTime"))[:10],
        source_url=_text(doc.get("officialSourceURL")) or _text(doc.get("uri")),
        licence=licence_title,
        attribution=f"{title}, {by}" if by else title,
        source_path=str(file),
    )

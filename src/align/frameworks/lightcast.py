"""Load the Lightcast (formerly EMSI) Open Skills list.

Lightcast Open Skills is a free list of some 33,000 skills with stable ids
(``KS1200B62W5ZF38RJ7TD``), a type (specialized skill, common skill,
certification) and, in current releases, a category and subcategory.
:func:`load_lightcast` reads it either as a CSV export or as the JSON
response of the Lightcast Skills API (``GET /versions/latest/skills``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from align._config import PathLike
from align._config import data_dir as _resolve_data_dir
from align._warnings import warn
from align.exceptions import AlignDataWarning, FrameworkFormatError, FrameworkNotFoundError
from align.frameworks._cache import cached_framework
from align.frameworks._model import Framework, FrameworkInfo
from align.frameworks._tables import TableSource, read_csv, read_json, relay_warnings

__all__ = ["COLUMN_ALIASES", "load_lightcast"]

logger = logging.getLogger(__name__)


SOURCE_URL = "https://lightcast.io/open-skills"
SKILL_URL = "https://lightcast.io/open-skills/skills/{id}"
LICENCE = (
    "Lightcast Open Skills: free to use with attribution under Lightcast's Open Skills terms "
    "(https://lightcast.io/open-skills). Check those terms before redistributing the list."
)
ATTRIBUTION = "Skills from Lightcast Open Skills (https://lightcast.io/open-skills)."
#: Bump when the loader builds different tables from the same file (invalidates its cache).
BUILD_VERSION = "1"

#: Our column -> accepted column names in a CSV (compared ignoring case,
#: spaces, dashes and underscores).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "skill_id", "skillid"),
    "name": ("name", "skill_name", "skillname", "skill"),
    "type": ("type", "skill_type", "skilltype", "type_name"),
    "category": ("category", "category_name", "skill_category"),
    "subcategory": ("subcategory", "subcategory_name", "skill_subcategory"),
    "description": ("description", "skill_description"),
    "url": ("infourl", "info_url", "url"),
}
# Values that stand for "no category" when they cover a whole file.
_PLACEHOLDERS = {"general", "unknown", "none", "n/a", "na", "other", "uncategorized", "-"}
# Old EMSI type names, replaced by "Specialized Skill"/"Common Skill" in later releases.
_OLD_TYPES = {"hard skill", "soft skill"}
_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt", ".json")
_FIX = (
    "Export the Lightcast Open Skills list as CSV with columns id, name, type (optionally "
    "category, subcategory), or save the Skills API response "
    "(GET https://emsiservices.com/skills/versions/latest/skills) as .json."
)


def _fold(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name).strip().lower())


def _newest_file(root: Path) -> Path:
    if not root.is_dir():
        raise FrameworkNotFoundError(
            f"no Lightcast skills file found: folder {str(root)!r} does not exist. {_FIX} Put "
            "the file there, or run `align data import lightcast PATH`."
        )
    files = [p for p in root.iterdir() if p.is_file() and p.name.lower().endswith(_SUFFIXES)]
    if not files:
        raise FrameworkNotFoundError(
            f"folder {str(root)!r} holds no Lightcast skills file (.csv or .json). {_FIX}"
        )

    def rank(p: Path) -> tuple[tuple[int, ...], float]:
        v = _version_in(p.name)
        return (tuple(int(x) for x in v.split(".")) if v else (), p.stat().st_mtime)

    return max(files, key=rank)


def _version_in(name: str) -> str | None:
    """``9.18`` from ``skills_v9.18.csv``; ``None`` when the name has no version number."""
    stem = name.lower()
    for ext in sorted(_SUFFIXES, key=len, reverse=True):
        stem = stem.removesuffix(ext)
    hit = re.search(r"(?<![a-z0-9.])v?(\d+(?:\.\d+){1,2})(?![\d.])", stem)
    return hit.group(1) if hit else None


def _name_of(value: Any) -> str:
    """The display name of an API field that is a dict, a string or null."""
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return "" if value is None else str(value)


def _from_json(file: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    doc = read_json(TableSource(file), what=f"a Lightcast Skills API response. {_FIX}")
    items = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        keys = sorted(doc)[:10] if isinstance(doc, dict) else type(doc).__name__
        raise FrameworkFormatError(
            f"{str(file)!r} is JSON but not a Lightcast skills list: expected "
            f'{{"data": [{{"id": ..., "name": ..., "type": {{...}}}}, ...]}}, found {keys}. '
            f"{_FIX}"
        )
    if not items:
        raise FrameworkFormatError(f"{str(file)!r} holds an empty skills list ('data' is []).")
    bad = [i for i, it in enumerate(items) if not it.get("id") or not it.get("name")]
    if bad:
        raise FrameworkFormatError(
            f"{str(file)!r}: {len(bad)} skill(s) have no 'id' or 'name' (first at position "
            f"{bad[0]}); expected every item of 'data' to have both. {_FIX}"
        )
    df = pd.DataFrame(
        {
            "id": [str(it["id"]) for it in items],
            "name": [str(it["name"]) for it in items],
            "type": [_name_of(it.get("type")) for it in items],
            "type_id": [
                str(it["type"].get("id") or "") if isinstance(it.get("type"), dict) else ""
                for it in items
            ],
            "category": [_name_of(it.get("category")) for it in items],
            "subcategory": [_name_of(it.get("subcategory")) for it in items],
            "description": [str(it.get("description") or "") for it in items],
            "url": [str(it.get("infoUrl") or "") for it in items],
        }
    )
    meta: dict[str, str] = {}
    if isinstance(doc, dict):
        version = doc.get("version") or (doc.get("meta") or {}).get("version")
        if version:
            meta["version"] = str(version)
        texts = [
            str(a.get("text"))
            for a in doc.get("attributions") or []
            if isinstance(a, dict) and a.get("text")
        ]
        if texts:
            meta["attributions"] = " ".join(texts)
    return df, meta


def _from_csv(file: Path) -> pd.DataFrame:
    table = read_csv(
        TableSource(file), delimiter=None, allow_cp1252=True, what="a Lightcast skills list"
    )
    by_fold = {_fold(c): c for c in table.columns}
    picked: dict[str, str] = {}
    for ours, aliases in COLUMN_ALIASES.items():
        for a in aliases:
            if _fold(a) in by_fold:
                picked[ours] = by_fold[_fold(a)]
                break
    missing = [c for c in ("id", "name") if c not in picked]
    if missing:
        raise FrameworkFormatError(
            f"{str(file)!r} has no {' or '.join(missing)} column; found {list(table.columns)}. "
            "Expected columns id, name, type (or skill_id, skill_name, skill_type), optional "
            f"category, subcategory. {_FIX}"
        )
    if table.empty:
        raise FrameworkFormatError(
            f"{str(file)!r} has a header row but no skills; expected one row per skill."
        )
    out = pd.DataFrame(
        {ours: table[col].str.strip() for ours, col in picked.items()}, index=table.index
    )
    for c in COLUMN_ALIASES:
        if c not in out:
            out[c] = ""
    out["type_id"] = ""
    blank = (out["id"] == "") | (out["name"] == "")
    if blank.any():
        warn(
            f"{str(file)!r}: {int(blank.sum())} row(s) have an empty id or name and were skipped.",
            AlignDataWarning,
        )
        out = out[~blank]
    return out.reset_index(drop=True)


def _blank_placeholders(df: pd.DataFrame, file: Path) -> None:
    """Blank (in place) category columns that hold one placeholder value for every skill."""
    for c in ("category", "subcategory"):
        values = set(df[c])
        if len(values) != 1:
            continue
        (only,) = values
        if only and (only.strip().lower() in _PLACEHOLDERS or len(df) >= 100):
            warn(
                f"{str(file)!r}: column {c!r} is {only!r} for all {len(df):,} skills, which is "
                "a placeholder, not a Lightcast category; it was left blank. Use a release "
                "with real categories (the Skills API gives them) to group skills.",
                AlignDataWarning,
            )
            df[c] = ""


def load_lightcast(
    path: PathLike | None = None,
    *,
    data_dir: PathLike | None = None,
    use_cache: bool = True,
) -> Framework:
    """Load the Lightcast Open Skills list from a CSV export or a Skills API response.

    Parameters
    ----------
    path : str or path, optional
        A CSV (comma, semicolon, tab or pipe separated) with columns ``id``,
        ``name``, ``type`` and optionally ``category``, ``subcategory``,
        ``description``, ``infoUrl`` in any case; the old EMSI export names
        ``skill_id``, ``skill_name``, ``skill_type`` work too. Or a ``.json``
        file holding the Skills API response
        ``{"data": [{"id", "name", "type": {"id", "name"}, "category":
        {"id", "name"}, "subcategory": {...}, "infoUrl"}, ...]}``. Default:
        the newest file under ``<data_dir>/lightcast/`` (highest version in
        the name, then the most recently changed).
    data_dir : str or path, optional
        Data folder; defaults to ``ALIGN_DATA_DIR``, then a user data folder.
    use_cache : bool
        Reuse the parsed copy cached on disk when the file is unchanged.

    Returns
    -------
    Framework
        One competency per skill: ``id`` ``lightcast:<id>``, ``code`` the
        Lightcast id, ``label`` the name, ``kind`` ``certification`` for
        certifications (type name "Certification" or type id ``ST3``) and
        ``skill`` otherwise, ``url`` the skill's Open Skills page
        (``infoUrl`` when given, else
        ``https://lightcast.io/open-skills/skills/<id>``). Extra columns
        ``skill_type``, ``category``, ``subcategory``. A category column that
        holds one placeholder value (such as "General") for every skill is
        blanked with an :class:`~align.AlignDataWarning`. ``version`` comes
        from the JSON or a ``v9.18``-style number in the file name; otherwise
        it is "unknown", with "(c. 2021 EMSI snapshot)" added when the file
        uses the old EMSI type names (Hard Skill / Soft Skill).

    Raises
    ------
    FrameworkNotFoundError
        The file (or a file under the data folder) does not exist.
    FrameworkFormatError
        The file is empty, truncated, not decodable, not a skills list or
        lacks the id and name columns.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from align.frameworks.lightcast import load_lightcast
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "skills.csv"
    >>> _ = f.write_text("Id,Name,Type\\nKS1,Welding,Specialized Skill\\n"
    ...                  "KS2,Forklift Licence,Certification\\n", "utf-8")
    >>> fw = load_lightcast(f, use_cache=False)
    >>> fw.competencies[["id", "kind"]].to_dict("records")
    [{'id': 'lightcast:KS1', 'kind': 'skill'}, {'id': 'lightcast:KS2', 'kind': 'certification'}]
    """
    if path is None:
        file = _newest_file(_resolve_data_dir(data_dir) / "lightcast")
    else:
        file = Path(path).expanduser()
    if not file.exists():
        raise FrameworkNotFoundError(
            f"Lightcast skills file {str(file)!r} does not exist; check the path. {_FIX}"
        )
    if file.is_dir():
        file = _newest_file(file)

    def build() -> Framework:
        fw = _build(file)
        # Blanked at parse time and cached blank: the warning is said once per
        # parsed file, like the other content warnings, not on every load.
        _blank_placeholders(fw.competencies, file)
        return fw

    with relay_warnings():
        return cached_framework(
            "lightcast", [file], build, use_cache=use_cache, build_version=BUILD_VERSION
        )


def _build(file: Path) -> Framework:
    if file.name.lower().endswith(".json"):
        df, meta = _from_json(file)
    else:
        df, meta = _from_csv(file), {}
    dup = df["id"].duplicated()
    if dup.any():
        warn(
            f"{str(file)!r}: {int(dup.sum())} skill id(s) appear more than once (e.g. "
            f"{df['id'][dup].iloc[0]!r}); the first row of each was kept.",
            AlignDataWarning,
        )
        df = df[~dup].reset_index(drop=True)
    types = df["type"].str.strip()
    is_cert = types.str.lower().str.contains("certification") | (df["type_id"] == "ST3")
    urls = df["url"].where(df["url"] != "", df["id"].map(lambda i: SKILL_URL.format(id=i)))
    competencies = pd.DataFrame(
        {
            "id": "lightcast:" + df["id"],
            "framework": "lightcast",
            "code": df["id"],
            "label": df["name"],
            "description": df["description"],
            "kind": is_cert.map({True: "certification", False: "skill"}),
            "url": urls,
            "skill_type": types,
            "category": df["category"],
            "subcategory": df["subcategory"],
        }
    )
    version = meta.get("version") or _version_in(file.name)
    if not version:
        old = bool(set(types.str.lower()) & _OLD_TYPES)
        version = "unknown (c. 2021 EMSI snapshot)" if old else "unknown"
    attribution = ATTRIBUTION + (f" {meta['attributions']}" if "attributions" in meta else "")
    info = FrameworkInfo(
        key="lightcast",
        name="Lightcast Open Skills",
        publisher="Lightcast",
        version=version,
        source_url=SOURCE_URL,
        licence=LICENCE,
        attribution=attribution,
        source_path=str(file.resolve()),
    )
    return Framework(info, competencies)

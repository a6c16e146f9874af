"""One model for every competency framework.

A :class:`Framework` is metadata (:class:`FrameworkInfo`) plus three pandas
DataFrames with fixed, documented columns. Every loader (O*NET, ESCO,
Lightcast, NACE, CMC, CASE, tabular) builds one, so everything downstream
(matching, scoring, badges) works the same whatever the source.

Competencies (``Framework.competencies``)
    ``id``           namespaced id, unique in the framework (``onet:2.A.1.a``)
    ``framework``    framework key (``onet``)
    ``code``         the source's own code or id (``2.A.1.a``)
    ``label``        preferred label as published
    ``description``  definition or description ("" when the source has none)
    ``kind``         one of :data:`KINDS` (skill, knowledge, dwa, task, ...)
    ``parent_id``    id of the broader competency, or ``None``
    ``level``        depth in the hierarchy or tier (1 = top), or ``<NA>``
    ``alt_labels``   list of alternative labels (possibly empty)
    ``url``          resolvable official URL of the competency (badges need it)

Occupations (``Framework.occupations``; empty when the source has none)
    ``id``, ``framework``, ``code`` (O*NET-SOC code, ESCO code), ``title``,
    ``description``, ``group`` (job zone for O*NET, ISCO group for ESCO),
    ``alt_titles`` (list), ``url``

Loaders may append source-specific columns after the standard ones (ESCO
``reuse_level`` and ``skill_type``, O*NET ``hot_technology``, ...); code that
works on every framework uses only the standard columns.

Relations (``Framework.relations``)
    ``source_id``    occupation or competency id
    ``target_id``    competency id (or another framework's id for crosswalks)
    ``relation``     one of :data:`RELATIONS`: ``requires`` (occupation ->
                     competency), ``broader`` (child -> parent), ``related``
                     (e.g. task -> DWA, skill -> skill), ``crosswalk``
    ``detail``       source-specific qualifier: ``essential``/``optional``
                     (ESCO), ``core``/``supplemental`` (O*NET tasks),
                     ``exactMatch``/``closeMatch``/... (crosswalks)
    ``weight``       strength in [0, 1] (O*NET: (importance - 1) / 4; ESCO:
                     essential 1.0, optional 0.5), ``NaN`` when unknown
    ``importance``   O*NET importance (IM, 1-5) or ``NaN``
    ``level``        O*NET level (LV, 0-7) or ``NaN``
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from align.exceptions import FrameworkFormatError, UnknownNameError

__all__ = [
    "COMPETENCY_COLUMNS",
    "KINDS",
    "OCCUPATION_COLUMNS",
    "RELATIONS",
    "RELATION_COLUMNS",
    "Framework",
    "FrameworkInfo",
]

#: Kinds of competency and what they mean.
KINDS: dict[str, str] = {
    "skill": "a skill (O*NET Skills, ESCO skill/competence, Lightcast skill)",
    "knowledge": "a body of knowledge (O*NET Knowledge, ESCO knowledge)",
    "ability": "an enduring ability (O*NET Abilities)",
    "work_activity": "a generalized work activity (O*NET GWA)",
    "work_style": "a personal characteristic that affects work (O*NET Work Styles)",
    "dwa": "a detailed work activity (O*NET DWA)",
    "iwa": "an intermediate work activity (O*NET IWA)",
    "task": "an occupation-specific task statement (O*NET)",
    "technology": "a software or technology product or category (O*NET Technology Skills)",
    "competency": "a competency in a competency model (NACE, CMC, CASE items)",
    "behaviour": "a sample behaviour that shows a competency (NACE)",
    "certification": "a certification or licence (Lightcast)",
    "area": "a grouping node in a hierarchy (ESCO skill group, CMC tier, O*NET category)",
}

RELATIONS: dict[str, str] = {
    "requires": "occupation -> competency it requires (with weight/importance/level)",
    "broader": "competency or occupation -> its broader parent",
    "related": "competency -> related competency (task -> DWA, skill -> skill)",
    "crosswalk": "item of this framework -> equivalent item of another framework",
}

COMPETENCY_COLUMNS: tuple[str, ...] = (
    "id",
    "framework",
    "code",
    "label",
    "description",
    "kind",
    "parent_id",
    "level",
    "alt_labels",
    "url",
)
OCCUPATION_COLUMNS: tuple[str, ...] = (
    "id",
    "framework",
    "code",
    "title",
    "description",
    "group",
    "alt_titles",
    "url",
)
RELATION_COLUMNS: tuple[str, ...] = (
    "source_id",
    "target_id",
    "relation",
    "detail",
    "weight",
    "importance",
    "level",
)

_STRING_COLUMNS = {
    "id",
    "framework",
    "code",
    "label",
    "title",
    "description",
    "kind",
    "url",
    "group",
    "source_id",
    "target_id",
    "relation",
    "detail",
}


@dataclass(frozen=True)
class FrameworkInfo:
    """Metadata and provenance of a loaded framework.

    Attributes
    ----------
    key : str
        Short name used in ids and on the command line (``onet``, ``esco``).
    name : str
        Human-readable name (``O*NET Database``).
    publisher : str
        Who publishes it.
    version : str
        Release or version as the publisher names it (``29.3``).
    source_url : str
        Where users get the official release.
    licence : str
        Licence under which the content is used.
    attribution : str
        Attribution text to show wherever the content is shown.
    retrieved_at : str
        ISO timestamp of when the files were read or downloaded.
    source_path : str
        Local file or folder it was loaded from ("" for built-in frameworks).
    """

    key: str
    name: str
    publisher: str
    version: str
    source_url: str
    licence: str
    attribution: str
    retrieved_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )
    source_path: str = ""

    def to_dict(self) -> dict[str, str]:
        """Return the metadata as a plain dict."""
        return asdict(self)


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, float) and np.isnan(value):
        return []
    return [str(v) for v in value if v is not None and str(v) != ""]


def _normalise(df: pd.DataFrame | None, columns: tuple[str, ...], table: str) -> pd.DataFrame:
    """Return ``df`` with exactly ``columns`` in order and canonical dtypes."""
    if df is None:
        return _empty(columns)
    missing = [c for c in columns if c not in df.columns]
    defaults: dict[str, Any] = {
        "description": "",
        "parent_id": None,
        "level": pd.NA,
        "alt_labels": None,
        "alt_titles": None,
        "url": "",
        "group": "",
        "detail": "",
        "weight": np.nan,
        "importance": np.nan,
    }
    required = [c for c in missing if c not in defaults]
    if required:
        raise FrameworkFormatError(
            f"the {table} table is missing column(s) {required}; expected {list(columns)}. "
            "This is a bug in the loader that built it; please report it."
        )
    out = df.copy()
    for c in missing:
        out[c] = defaults[c]
    # Source-specific extras (ESCO reuse_level, Lightcast skill_type, ...) follow the
    # standard columns, so analysts keep them and downstream code can ignore them.
    extras = [c for c in out.columns if c not in columns]
    out = out[[*columns, *extras]].reset_index(drop=True)
    for c in columns:
        if c in _STRING_COLUMNS:
            out[c] = out[c].fillna("").astype(str) if c != "parent_id" else out[c]
    if "parent_id" in out:
        # object dtype so that "no parent" is None, not NaN (pandas 3 infers str dtype).
        out["parent_id"] = pd.Series(
            [v if isinstance(v, str) and v else None for v in out["parent_id"]], dtype=object
        )
    if table == "competencies":
        out["level"] = pd.to_numeric(out["level"], errors="coerce").astype("Int64")
    if table == "relations":
        for c in ("weight", "importance", "level"):
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for c in ("alt_labels", "alt_titles"):
        if c in out:
            out[c] = out[c].map(_as_list)
    return out


class Framework:
    """A competency framework: metadata plus competencies, occupations and relations.

    Parameters
    ----------
    info : FrameworkInfo
        Metadata and provenance.
    competencies : DataFrame
        One row per competency; columns listed in the module docstring. Missing
        optional columns are filled with defaults.
    occupations : DataFrame, optional
        One row per occupation, when the source has occupations.
    relations : DataFrame, optional
        Occupation -> competency weights, hierarchy and crosswalk edges.

    Examples
    --------
    >>> import pandas as pd
    >>> from align import Framework, FrameworkInfo
    >>> info = FrameworkInfo(key="demo", name="Demo", publisher="Us", version="1",
    ...                      source_url="", licence="CC0", attribution="")
    >>> fw = Framework(info, pd.DataFrame({
    ...     "id": ["demo:a"], "framework": ["demo"], "code": ["a"],
    ...     "label": ["Teamwork"], "kind": ["competency"]}))
    >>> fw
    <Framework demo 1: 1 competencies, 0 occupations, 0 relations>
    >>> fw.competencies.loc[0, "alt_labels"]
    []
    """

    def __init__(
        self,
        info: FrameworkInfo,
        competencies: pd.DataFrame,
        occupations: pd.DataFrame | None = None,
        relations: pd.DataFrame | None = None,
    ) -> None:
        self.info = info
        self.competencies = _normalise(competencies, COMPETENCY_COLUMNS, "competencies")
        self.occupations = _normalise(occupations, OCCUPATION_COLUMNS, "occupations")
        self.relations = _normalise(relations, RELATION_COLUMNS, "relations")
        unknown = sorted(set(self.competencies["kind"]) - set(KINDS))
        if unknown:
            raise FrameworkFormatError(
                f"framework {info.key!r} has competencies of unknown kind {unknown}; "
                f"expected one of {sorted(KINDS)}."
            )

    # -- convenience ---------------------------------------------------------
    @property
    def key(self) -> str:
        """The framework key (``onet``, ``esco``, ...)."""
        return self.info.key

    @property
    def version(self) -> str:
        """The release or version string."""
        return self.info.version

    def __repr__(self) -> str:
        return (
            f"<Framework {self.info.key} {self.info.version}: "
            f"{len(self.competencies)} competencies, {len(self.occupations)} occupations, "
            f"{len(self.relations)} relations>"
        )

    def __len__(self) -> int:
        return len(self.competencies)

    def counts(self) -> pd.Series:
        """Number of competencies per kind, largest first."""
        return self.competencies["kind"].value_counts().rename("count")

    def summary(self) -> dict[str, Any]:
        """Metadata plus counts, as a plain dict (what ``align frameworks show`` prints)."""
        return {
            **self.info.to_dict(),
            "competencies": len(self.competencies),
            "occupations": len(self.occupations),
            "relations": len(self.relations),
            "kinds": {str(k): int(v) for k, v in self.counts().items()},
        }

    def subset(self, kinds: Iterable[str]) -> Framework:
        """Return a framework with only the competencies of the given kinds.

        Relations are kept when both ends are still present (or the source is
        an occupation).
        """
        wanted = list(kinds)
        unknown = sorted(set(wanted) - set(KINDS))
        if unknown:
            raise UnknownNameError(
                f"kinds={unknown} are not competency kinds; use some of {sorted(KINDS)}."
            )
        comps = self.competencies[self.competencies["kind"].isin(wanted)]
        keep = set(comps["id"]) | set(self.occupations["id"])
        rel = self.relations[
            self.relations["source_id"].isin(keep) & self.relations["target_id"].isin(keep)
        ]
        return Framework(replace(self.info), comps, self.occupations, rel)

    def competency(self, competency_id: str) -> pd.Series:
        """Return the row of one competency by its namespaced id."""
        hit = self.competencies[self.competencies["id"] == competency_id]
        if hit.empty:
            raise UnknownNameError(
                f"competency {competency_id!r} is not in framework {self.key!r} "
                f"(ids look like {self.competencies['id'].iloc[0]!r})."
                if len(self.competencies)
                else f"framework {self.key!r} has no competencies."
            )
        return hit.iloc[0]

    def occupation_profile(self, code: str) -> pd.DataFrame:
        """Return the competencies an occupation requires, with weights.

        Parameters
        ----------
        code : str
            Occupation code (``15-2051.00``), its namespaced id
            (``onet:15-2051.00``) or, for ESCO, the concept URI.

        Returns
        -------
        DataFrame
            Competency columns plus ``occupation_id``, ``detail``, ``weight``,
            ``importance`` and ``rating_level`` (the O*NET level rating; ``level``
            stays the hierarchy depth); sorted by weight, strongest first.
        """
        occ = self.occupations
        hit = occ[(occ["code"] == code) | (occ["id"] == code) | (occ["url"] == code)]
        if hit.empty:
            if occ.empty:
                raise UnknownNameError(
                    f"framework {self.key!r} has no occupations, so there is no profile for "
                    f"{code!r}; use a framework with occupations (onet, esco)."
                )
            example = occ["code"].iloc[0]
            raise UnknownNameError(
                f"occupation {code!r} is not in {self.info.name} {self.version}; "
                f"codes look like {example!r}. Search titles with "
                f'`align match "<job title>" --framework {self.key}-occupations`.'
            )
        occ_id = hit["id"].iloc[0]
        rel = self.relations[
            (self.relations["source_id"] == occ_id) & (self.relations["relation"] == "requires")
        ]
        out = rel.merge(self.competencies, left_on="target_id", right_on="id", suffixes=("", "_c"))
        # relations.level is the O*NET rating; competencies.level the hierarchy depth.
        out = out.rename(
            columns={"source_id": "occupation_id", "level": "rating_level", "level_c": "level"}
        )
        out = out[
            [*COMPETENCY_COLUMNS, "occupation_id", "detail", "weight", "importance", "rating_level"]
        ]
        return out.sort_values(
            ["weight", "importance"], ascending=False, na_position="last"
        ).reset_index(drop=True)

    # -- persistence ---------------------------------------------------------
    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(str(k))}</td><td>{int(v):,}</td></tr>"
            for k, v in self.counts().items()
        )
        i = self.info
        return (
            f"<div><strong>{html.escape(i.name)}</strong> {html.escape(i.version)} "
            f"({html.escape(i.publisher)})<br><small>{html.escape(i.attribution)}</small>"
            f"<table><tr><th>kind</th><th>competencies</th></tr>{rows}</table>"
            f"{len(self.occupations):,} occupations, {len(self.relations):,} relations</div>"
        )

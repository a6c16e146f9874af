"""How specific a skill is to some occupations: generic skills set apart.

Some skills rank near the top of demand for every occupation (Communications,
Research, Computer Science in a data-science file): they say little about what
one occupation needs. :func:`skill_specificity` measures, from the postings
themselves, how evenly each skill's demand spreads over occupations:

* postings are grouped by occupation (their O*NET-SOC code cut to ``level``;
  groups with fewer than ``min_postings`` postings with skill data are left out);
* in each group the skill's share is smoothed towards its share in all postings
  (``(k + 10 * p) / (n + 10)``: ten postings' worth of prior), so a small group
  cannot make a skill look specific by chance;
* ``spread`` is the geometric mean of the groups' shares over their largest
  share: 1 when every occupation asks for the skill equally often, near 0 when
  one asks for it and the others do not;
* ``specificity = 1 - spread``; a skill is ``generic`` when its specificity is
  below :data:`GENERIC_BELOW`: the occupations ask for it, on the geometric
  mean, at least 80 % as often as the one that asks for it most, so it says
  little about which occupation a posting is for.

It is relative to the occupations in the database: in a file of data-science
postings, Python is generic among data scientists, analysts and engineers,
though not among all jobs. With fewer than two groups it is undefined (NaN).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from align._config import PathLike
from align.exceptions import InvalidArgumentError
from align.postings._query import _counted_sql, _skills_cte, base_sql
from align.postings._store import PostingsStore, open_store

__all__ = [
    "GENERIC_BELOW",
    "GENERIC_MODES",
    "SPECIFICITY_COLUMNS",
    "SPECIFICITY_LEVELS",
    "skill_specificity",
]

Level = Literal["major", "minor", "broad", "detailed", "onet"]
#: Occupation groups specificity is measured over: characters of the O*NET-SOC code kept.
SPECIFICITY_LEVELS: dict[str, int] = {
    "major": 2, "minor": 4, "broad": 6, "detailed": 7, "onet": 10,
}  # fmt: skip
#: Specificity below which a skill is generic (see the module notes): asked for about as
#: often (80 % or more, geometric mean) by every occupation as by the one asking most.
GENERIC_BELOW = 0.2
GenericMode = Literal["show", "hide", "down-weight"]
#: What demand tables do with generic skills.
GENERIC_MODES: dict[str, str] = {
    "show": "list every skill; specificity and generic are columns",
    "hide": "leave generic skills out of the table (how many is reported)",
    "down-weight": "rank by share x specificity (column weighted_share)",
}
#: Columns of :func:`skill_specificity`.
SPECIFICITY_COLUMNS: tuple[str, ...] = (
    "skill_id", "skill_name", "postings", "groups", "spread", "specificity", "generic",
)  # fmt: skip
_PRIOR = 10.0


def skill_specificity(
    db: PostingsStore | PathLike | None = None,
    *,
    skills: list[str] | None = None,
    level: Level = "detailed",
    min_postings: int = 10,
    source: str = "auto",
    mentions: str = "asked",
) -> pd.DataFrame:
    """Specificity of each skill across the occupations of the postings (module notes).

    Parameters
    ----------
    db : PostingsStore or path, optional
        The postings database (opened read-only).
    skills : list of str, optional
        Skill ids to measure (default: every skill).
    level : {"major", "minor", "broad", "detailed", "onet"}
        Occupation grouping: SOC major group ("15"), minor ("15-20"), broad
        ("15-205"), detailed ("15-2051", the default) or the O*NET-SOC code.
    min_postings : int
        Postings with skill data a group needs to count.
    source, mentions
        Which skills count, as in :func:`align.postings.skill_demand`.

    Returns
    -------
    DataFrame
        Columns :data:`SPECIFICITY_COLUMNS`: ``skill_id``, ``skill_name``,
        ``postings`` (in the counted groups), ``groups`` (occupation groups
        counted), ``spread`` and ``specificity`` in [0, 1] (NaN with fewer than
        two groups), ``generic`` (specificity below :data:`GENERIC_BELOW`).

    Examples
    --------
    >>> store = PostingsStore(":memory:")
    >>> rows = [(f"p{i}", occ) for i, occ in enumerate(["15-2051.00"] * 20 + ["29-1141.00"] * 20)]
    >>> _ = store.con.executemany("INSERT INTO postings (posting_id, onet) VALUES (?, ?)", rows)
    >>> skill = [(p, "name:communication", "Communication") for p, _ in rows]
    >>> skill += [(p, "name:python", "Python") for p, occ in rows if occ.startswith("15")]
    >>> skill += [(p, "name:triage", "Triage") for p, occ in rows[20:30]]
    >>> _ = store.con.executemany("INSERT INTO posting_skills (posting_id, skill_id, skill_name, "
    ...     "skill_type, source) VALUES (?, ?, ?, 'skill', 'export')", skill)
    >>> skill_specificity(store)[["skill_name", "groups", "specificity", "generic"]]
          skill_name  groups  specificity  generic
    0  Communication       2         0.00     True
    1         Python       2         0.55    False
    2         Triage       2         0.55    False
    """
    if level not in SPECIFICITY_LEVELS:
        raise InvalidArgumentError(
            f"level {level!r} is not one of {', '.join(SPECIFICITY_LEVELS)}."
        )
    if not isinstance(min_postings, int) or isinstance(min_postings, bool) or min_postings < 1:
        raise InvalidArgumentError(f"min_postings={min_postings!r}; expected a positive integer.")
    store, owned = open_store(db, read_only=True)
    try:
        eff, counted = _skills_cte(store, source), _counted_sql(store, mentions)
        return specificity_of(store, eff, counted, skills, level, min_postings)
    finally:
        if owned:
            store.close()


def specificity_of(
    store: PostingsStore,
    eff: str,
    counted: str,
    skills: list[str] | None,
    level: str = "detailed",
    min_postings: int = 10,
) -> pd.DataFrame:
    """:func:`skill_specificity` inside a query that has its skill CTE (``eff``) and its
    counted-skill SQL already (``align.postings._demand``)."""
    chars = SPECIFICITY_LEVELS[level]
    if skills is not None and not len(skills):
        return _measure(pd.DataFrame(), pd.DataFrame())
    only = "TRUE" if skills is None else "s.skill_id IN (SELECT skill_id FROM _only)"
    ids = pd.DataFrame({"skill_id": pd.Series(skills or [], dtype=str)})
    tables = {} if skills is None else {"_only": ids}
    rows = store.query(
        f"""WITH base AS (SELECT posting_id, left(occ, {chars}) AS grp FROM ({base_sql(store)}) b
                          WHERE occ IS NOT NULL),
                 eff AS ({eff}),
                 hit AS (SELECT s.posting_id, s.skill_id, s.skill_name, base.grp,
                                {counted} AS counted
                         FROM eff s JOIN base USING (posting_id)),
                 groups AS (SELECT grp, count(DISTINCT posting_id) AS n FROM hit GROUP BY grp
                            HAVING count(DISTINCT posting_id) >= ?)
            SELECT h.skill_id, min(h.skill_name) AS skill_name, h.grp,
                   count(*) FILTER (WHERE h.counted) AS k, any_value(g.n) AS n
            FROM hit h JOIN groups g USING (grp)
            WHERE {only.replace("s.skill_id", "h.skill_id")}
            GROUP BY h.skill_id, h.grp""",
        [min_postings],
        tables=tables,
    )
    groups = store.query(
        f"""WITH base AS (SELECT posting_id, left(occ, {chars}) AS grp FROM ({base_sql(store)}) b
                          WHERE occ IS NOT NULL),
                 eff AS ({eff})
            SELECT base.grp, count(DISTINCT s.posting_id) AS n
            FROM eff s JOIN base USING (posting_id) GROUP BY base.grp
            HAVING count(DISTINCT s.posting_id) >= ?""",
        [min_postings],
    )
    return _measure(rows, groups)


def _measure(rows: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SPECIFICITY_COLUMNS})
    g_n = groups.set_index("grp")["n"].astype(float)
    k = rows.pivot_table(index="skill_id", columns="grp", values="k", aggfunc="sum", fill_value=0)
    k = k.reindex(columns=g_n.index, fill_value=0).astype(float)
    n = g_n.to_numpy()
    total = k.sum(axis=1).to_numpy()
    p_all = total / n.sum()
    share = (k.to_numpy() + _PRIOR * p_all[:, None]) / (n[None, :] + _PRIOR)
    with np.errstate(divide="ignore", invalid="ignore"):
        gmean = np.exp(np.log(share).mean(axis=1))
        spread = np.where(total > 0, gmean / share.max(axis=1), np.nan)
    if len(n) < 2:
        spread = np.full(len(k), np.nan)
    names = rows.groupby("skill_id")["skill_name"].first()
    out = pd.DataFrame(
        {
            "skill_id": k.index,
            "skill_name": names.reindex(k.index).to_numpy(),
            "postings": total.astype("int64"),
            "groups": len(n),
            "spread": np.round(spread, 4),
            "specificity": np.round(1.0 - spread, 2),
        }
    )
    out["generic"] = out["specificity"] < GENERIC_BELOW
    out = out.sort_values(["postings", "skill_name"], ascending=[False, True], kind="stable")
    return out[list(SPECIFICITY_COLUMNS)].reset_index(drop=True)


def apply_generic(demand: pd.DataFrame, spec: pd.DataFrame, mode: str) -> tuple[pd.DataFrame, int]:
    """Add ``specificity``/``generic``/``weighted_share`` to a demand table and apply
    ``mode`` (:data:`GENERIC_MODES`); return the table and how many rows ``hide`` removed."""
    if mode not in GENERIC_MODES:
        raise InvalidArgumentError(
            f"generic {mode!r} is not one of {', '.join(GENERIC_MODES)}: 'show' lists every "
            "skill, 'hide' leaves out generic ones, 'down-weight' ranks by share x specificity."
        )
    s = spec.set_index("skill_id")
    out = demand.copy()
    out["specificity"] = out["skill_id"].map(s["specificity"]).astype("float64")
    out["generic"] = out["skill_id"].map(s["generic"]).astype("boolean").fillna(False).astype(bool)
    out["weighted_share"] = out["share"] * out["specificity"].fillna(1.0)
    hidden = 0
    if mode == "hide":
        hidden = int(out["generic"].sum())
        out = out[~out["generic"]]
    elif mode == "down-weight":
        out = out.sort_values(["weighted_share", "skill_name"], ascending=[False, True],
                              kind="stable")  # fmt: skip
        out["rank"] = out["weighted_share"].rank(method="min", ascending=False).astype("int64")
    return out.reset_index(drop=True), hidden

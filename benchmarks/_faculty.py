"""The faculty-outcome benchmark: occupations, outcomes written in syllabus style, gold labels.

How it was built is in ``benchmarks/data/faculty/README.md``. This module holds what the
benchmark scripts and the tests share:

* :func:`select_occupations` -- the occupations, chosen by a rule fixed before any outcome
  was written: per SOC major group, the four occupations with the smallest stable hash among
  those with at least eight task statements that O*NET links to detailed work activities
  (residual "All Other" occupations left out), plus the occupations the faculty-wording
  issue named. The split is the one every validity benchmark uses: by SOC major group
  (``_validity_common.split_of_code``).
* :func:`load_outcomes` / :func:`load_vague` -- the written outcomes and their vague
  counterparts, one file per writer in ``benchmarks/data/faculty/``.
* :func:`occupation_items` -- the O*NET elements of one occupation that an outcome can be
  labelled with (tasks, the DWAs its tasks link to, skills, knowledge, technology).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from _validity_common import SOC_MAJOR_GROUPS, split_of_code, stable_hash, task_table

from align import Framework

DATA = Path(__file__).resolve().parent / "data" / "faculty"

#: Occupations the faculty-wording issue tried by name (included whatever their hash).
ISSUE_OCCUPATIONS: tuple[str, ...] = (
    "47-2111.00",  # Electricians
    "51-4121.00",  # Welders, Cutters, Solderers, and Brazers
    "15-2051.00",  # Data Scientists
    "15-1212.00",  # Information Security Analysts
    "25-2021.00",  # Elementary School Teachers, Except Special Education
    "51-9161.00",  # Computer Numerically Controlled Tool Operators
)
PER_GROUP = 4
MIN_LINKED_TASKS = 8
#: Kinds an outcome can be labelled with.
GOLD_KINDS: tuple[str, ...] = ("dwa", "task", "skill", "knowledge", "technology")
OUTCOME_COLUMNS: tuple[str, ...] = ("outcome_id", "soc", "outcome", "gold", "writer")
VAGUE_COLUMNS: tuple[str, ...] = ("soc", "outcome", "writer")


def select_occupations(fw: Framework) -> pd.DataFrame:
    """The benchmark's occupations: ``soc``, ``title``, ``group``, ``split``, ``source``.

    ``source`` is ``hash`` (chosen by the rule) or ``issue`` (named in the issue).
    """
    tasks = task_table(fw)
    linked = tasks.groupby("occupation").size()
    titles = fw.occupations.set_index("code")["title"]
    eligible = [
        c
        for c, n in linked.items()
        if n >= MIN_LINKED_TASKS and "All Other" not in str(titles.get(c, ""))
    ]
    rows = []
    for group in SOC_MAJOR_GROUPS:
        codes = sorted(
            (c for c in eligible if c.startswith(group)),
            key=lambda c: stable_hash(c + "faculty-outcomes"),
        )
        rows += [(c, "hash") for c in codes[:PER_GROUP]]
    chosen = {c for c, _ in rows}
    rows += [(c, "issue") for c in ISSUE_OCCUPATIONS if c not in chosen]
    out = pd.DataFrame(rows, columns=["soc", "source"])
    out["title"] = out["soc"].map(titles)
    out["group"] = out["soc"].str[:2]
    out["split"] = out["soc"].map(split_of_code)
    return out.sort_values("soc").reset_index(drop=True)[
        ["soc", "title", "group", "split", "source"]
    ]


def occupation_dwas(fw: Framework) -> dict[str, set[str]]:
    """Each occupation's detailed work activities (reached through its task statements)."""
    tasks = task_table(fw)
    return {occ: {d for ds in grp["dwas"] for d in ds} for occ, grp in tasks.groupby("occupation")}


def off_target_of(occ: pd.DataFrame, dwas: dict[str, set[str]]) -> dict[str, str]:
    """The unrelated occupation whose outcomes are aimed at each benchmark occupation.

    Of the occupations of the same half in *another* SOC major group that share no
    detailed work activity with it, the one picked by a stable hash. (Major group
    alone is not enough: Quality Control Analysts and Quality Control Systems Managers
    sit in different major groups and share most of their activities.)
    """
    out = {}
    for soc, split in zip(occ["soc"], occ["split"], strict=True):
        mine = dwas.get(soc, set())
        others = [
            o
            for o, sp in zip(occ["soc"], occ["split"], strict=True)
            if sp == split and o[:2] != soc[:2] and not (dwas.get(o, set()) & mine)
        ]
        out[soc] = others[stable_hash("off-target" + soc) % len(others)]
    return out


def _read(pattern: str, columns: tuple[str, ...]) -> pd.DataFrame:
    files = sorted(DATA.glob(pattern))
    if not files:
        return pd.DataFrame(columns=list(columns))
    parts = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files]
    df = pd.concat(parts, ignore_index=True)
    missing = set(columns) - set(df.columns)
    if missing:
        raise ValueError(f"{pattern}: columns {sorted(missing)} missing")
    df = df[list(columns)].copy()
    for c in df.columns:
        df[c] = df[c].str.strip()
    df["split"] = df["soc"].map(split_of_code)
    return df


def load_outcomes() -> pd.DataFrame:
    """Every written outcome: :data:`OUTCOME_COLUMNS` + ``split``; ``gold`` as a list of ids."""
    df = _read("outcomes_*.csv", OUTCOME_COLUMNS)
    df["gold"] = df["gold"].map(lambda g: [x for x in re.split(r"[;\s]+", g) if x])
    return df


def load_vague() -> pd.DataFrame:
    """Vague outcomes per occupation (the proposal-level set): :data:`VAGUE_COLUMNS` + ``split``."""
    return _read("vague_*.csv", VAGUE_COLUMNS)


def occupation_items(fw: Framework, soc: str) -> pd.DataFrame:
    """The O*NET elements of an occupation an outcome can be labelled with.

    Columns ``id``, ``kind``, ``label``, ``detail`` (task type, hot technology),
    ``importance`` (skills and knowledge), ``via`` (for a DWA: the occupation's
    task ids linked to it). Tasks first, then DWAs, skills, knowledge, technology.
    """
    prof = fw.occupation_profile(soc)
    keep = prof[prof["kind"].isin(["task", "skill", "knowledge", "technology"])]
    items = keep[["id", "kind", "label", "detail", "importance"]].copy()
    items["via"] = ""
    task_ids = set(keep.loc[keep["kind"] == "task", "id"])
    rel = fw.relations
    comps = fw.competencies.set_index("id")
    link = rel[(rel["relation"] == "related") & rel["source_id"].isin(task_ids)]
    link = link[link["target_id"].map(comps["kind"]) == "dwa"]
    via = link.groupby("target_id")["source_id"].agg(
        lambda s: " ".join(sorted({x.split(":")[-1] for x in s}))
    )
    dwas = pd.DataFrame(
        {
            "id": via.index,
            "kind": "dwa",
            "label": via.index.map(comps["label"]),
            "detail": "",
            "importance": float("nan"),
            "via": via.to_numpy(),
        }
    )
    order = {k: i for i, k in enumerate(["task", "dwa", "skill", "knowledge", "technology"])}
    out = pd.concat([items, dwas], ignore_index=True)
    out["_o"] = out["kind"].map(order)
    return out.sort_values(["_o", "id"]).drop(columns="_o").reset_index(drop=True)

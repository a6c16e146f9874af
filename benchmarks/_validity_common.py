"""Shared pieces of the validity benchmarks: the dev/test split and O*NET helpers.

The split rule was fixed and committed before any validity result was looked at:

    SOC major groups (the first two digits of an O*NET-SOC code: 11, 13, ..., 55),
    sorted; the 1st, 3rd, 5th, ... go to **dev**, the 2nd, 4th, 6th, ... to **test**.

So dev = 11, 15, 19, 23, 27, 31, 35, 39, 43, 47, 51, 55 and test = 13, 17, 21, 25,
29, 33, 37, 41, 45, 49, 53 (``DEV_GROUPS`` / ``TEST_GROUPS`` are computed from the
sorted tuple, not typed twice).

Everything tuned (calibration, thresholds, weights) is fitted on dev rows only;
test rows are only ever reported.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from align import Framework, load_framework
from align.exceptions import AlignDataWarning

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

#: The 23 SOC major groups of O*NET-SOC 2019.
SOC_MAJOR_GROUPS: tuple[str, ...] = (
    "11", "13", "15", "17", "19", "21", "23", "25", "27", "29", "31", "33",
    "35", "37", "39", "41", "43", "45", "47", "49", "51", "53", "55",
)  # fmt: skip
DEV_GROUPS = frozenset(SOC_MAJOR_GROUPS[0::2])
TEST_GROUPS = frozenset(SOC_MAJOR_GROUPS[1::2])


def split_of_code(code: str) -> str:
    """``dev`` or ``test`` for an O*NET-SOC code (``15-1212.00``) by its major group.

    Examples
    --------
    >>> split_of_code("15-1212.00"), split_of_code("29-1141.00")
    ('dev', 'test')
    """
    group = code.split(":")[-1][:2]
    if group in DEV_GROUPS:
        return "dev"
    if group in TEST_GROUPS:
        return "test"
    raise ValueError(f"{code!r} is not an O*NET-SOC code of a known major group")


def stable_hash(text: str) -> int:
    """A seed-free, platform-independent hash (for deterministic sampling)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


@lru_cache(maxsize=1)
def onet() -> Framework:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        return load_framework("onet")


def task_table(fw: Framework) -> pd.DataFrame:
    """Task statements with their occupation, task type, split and linked DWAs.

    Columns ``task_id``, ``task``, ``occupation``, ``task_type`` ("core",
    "supplemental" or ""), ``split``, ``dwas`` (list of DWA ids, O*NET's
    analyst links), one row per task that has at least one DWA.
    """
    rel = fw.relations
    comps = fw.competencies
    tasks = comps[comps["kind"] == "task"].set_index("id")
    dwa_ids = set(comps.loc[comps["kind"] == "dwa", "id"])
    link = rel[(rel["relation"] == "related") & rel["target_id"].isin(dwa_ids)]
    link = link[link["source_id"].isin(tasks.index)]
    dwas = link.groupby("source_id")["target_id"].agg(lambda s: sorted(set(s)))
    req = rel[(rel["relation"] == "requires") & rel["target_id"].isin(tasks.index)]
    occ = req.drop_duplicates("target_id").set_index("target_id")
    out = pd.DataFrame(
        {
            "task_id": dwas.index,
            "task": tasks.loc[dwas.index, "label"].to_numpy(),
            "occupation": occ.reindex(dwas.index)["source_id"].str.split(":").str[-1].to_numpy(),
            "task_type": occ.reindex(dwas.index)["detail"].fillna("").str.lower().to_numpy(),
            "dwas": dwas.to_numpy(),
        }
    )
    out = out.dropna(subset=["occupation"])
    out["split"] = out["occupation"].map(split_of_code)
    return out.reset_index(drop=True)


def dwa_framework(fw: Framework) -> Framework:
    """O*NET's 2,087 detailed work activities alone, as a Framework (the target space)."""
    from dataclasses import replace

    comps = fw.competencies[fw.competencies["kind"] == "dwa"].reset_index(drop=True)
    return Framework(replace(fw.info), comps)


def without_tasks(fw: Framework, task_ids: set[str]) -> Framework:
    """O*NET with some task statements removed everywhere (competencies and links).

    The score validity benchmarks use their outcomes' own task statements as outcomes;
    removing them from what the outcomes are matched to (the demanded work activities
    carry their occupation's task statements) keeps a proposal from earning credit for
    repeating itself.
    """
    from dataclasses import replace

    comps = fw.competencies[~fw.competencies["id"].isin(task_ids)].reset_index(drop=True)
    rel = fw.relations
    rel = rel[~rel["source_id"].isin(task_ids) & ~rel["target_id"].isin(task_ids)]
    return Framework(replace(fw.info), comps, fw.occupations, rel.reset_index(drop=True))

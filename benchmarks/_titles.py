"""The job-title benchmark: real posting titles labelled by hand with O*NET-SOC codes.

``benchmarks/data/titles/README.md`` describes the draw, the dev/test split and the labelling
protocol. This module holds the rules (so the draw and the split can be re-derived and
checked) and the loaders; ``titles_label.py`` is the labeller's tool and
``postings_title_codes.py`` the measurement.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "data" / "titles"
DRAW = FOLDER / "titles.csv"
LABELS = FOLDER / "labels.csv"
DATA = HERE.parent.parent / "shared" / "data"
LINKEDIN = Path("job_postings/linkedin_2023_structured/job_postings.csv.gz")
GLASSDOOR = Path("job_postings/glassdoor_ds_jobs_2021/Uncleaned_DS_jobs.csv")

#: The draw: distinct titles per source, and the seed of the posting order.
QUOTAS: dict[str, int] = {"linkedin": 330, "glassdoor": 120}
SEED = 25
#: Salt of the split hash (changing it would re-split: never change it).
SPLIT_SALT = "align-title-benchmark-v1"
#: Label value for a title no O*NET-SOC occupation describes (or that says too little).
UNCLASSIFIABLE = "unclassifiable"

DRAW_COLUMNS = ("item", "source", "posting_id", "title", "key", "postings", "split")
LABEL_COLUMNS = ("item", "code", "alt_code", "note")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def title_key(title: str) -> str:
    """Lower case, every run of other characters one space: the identity of a title.

    "Sr. Data Scientist" and "sr data scientist" are one title; the key decides both the
    de-duplication of the draw and the dev/test half.

    >>> title_key("  Sr. Data-Scientist (Remote) ")
    'sr data scientist remote'
    """
    return " ".join(_NON_ALNUM.sub(" ", str(title).lower()).split())


def split_of(key: str) -> str:
    """``dev`` or ``test``: the parity of the first 8 hex digits of sha256(salt + key).

    Fixed before any label or result existed; one title (key) is always in one half.

    >>> split_of("data scientist"), split_of("data analyst")
    ('dev', 'dev')
    """
    digest = hashlib.sha256(f"{SPLIT_SALT}:{key}".encode()).hexdigest()
    return "dev" if int(digest[:8], 16) % 2 == 0 else "test"


def read_sources(data: Path = DATA) -> dict[str, pd.DataFrame]:
    """``posting_id``/``title`` of every posting of the two real sets, in file order."""
    li = pd.read_csv(data / LINKEDIN, usecols=["job_id", "title"], dtype={"job_id": str})
    gd = pd.read_csv(data / GLASSDOOR, usecols=["index", "Job Title"], dtype={"index": str})
    return {
        "linkedin": pd.DataFrame(
            {"posting_id": "linkedin:" + li["job_id"], "title": li["title"]}
        ).dropna(subset=["title"]),
        "glassdoor": pd.DataFrame(
            {"posting_id": "glassdoor:" + gd["index"], "title": gd["Job Title"]}
        ).dropna(subset=["title"]),
    }


def draw(data: Path = DATA) -> pd.DataFrame:
    """The benchmark's titles, by the rule the README states.

    For each source in turn (LinkedIn, then Glassdoor): its postings in a random order
    (numpy ``default_rng(SEED)``, one permutation per source, drawn in that order), each
    posting's title taken unless its key was taken already (from either source), until the
    source's quota of distinct titles is reached. A title that many postings carry is thus
    drawn with a higher chance, as an analyst meets it more often; each is labelled once.
    """
    rng = np.random.default_rng(SEED)
    taken: set[str] = set()
    rows = []
    for source, frame in read_sources(data).items():
        keys = frame["title"].map(title_key)
        counts = keys.value_counts()
        order = rng.permutation(len(frame))
        n = 0
        for i in order:
            key = keys.iat[i]
            if not key or key in taken:
                continue
            taken.add(key)
            rows.append(
                {
                    "source": source,
                    "posting_id": frame["posting_id"].iat[i],
                    "title": " ".join(str(frame["title"].iat[i]).split()),
                    "key": key,
                    "postings": int(counts[key]),
                    "split": split_of(key),
                }
            )
            n += 1
            if n == QUOTAS[source]:
                break
    out = pd.DataFrame(rows)
    out.insert(0, "item", [f"t{i:03d}" for i in range(1, len(out) + 1)])
    return out[list(DRAW_COLUMNS)]


def load_draw() -> pd.DataFrame:
    return pd.read_csv(DRAW, dtype=str, keep_default_na=False).astype({"postings": int})


def load_labels() -> pd.DataFrame:
    """The labels (``code``: an O*NET-SOC code or ``unclassifiable``; ``alt_code``: a second
    acceptable code or empty), joined to the draw."""
    labels = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
    return load_draw().merge(labels, on="item", how="inner", validate="1:1")


def gold_sets(labels: pd.DataFrame) -> list[frozenset[str]]:
    """Acceptable codes per labelled title (empty for an unclassifiable one)."""
    out = []
    for code, alt in zip(labels["code"], labels["alt_code"], strict=True):
        codes = {c for c in (code, *alt.split(";")) if c and c != UNCLASSIFIABLE}
        out.append(frozenset(c.strip() for c in codes))
    return out

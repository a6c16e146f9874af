"""Draw and label the job-title benchmark (a tool for its labeller, not a measurement).

    python benchmarks/titles_label.py draw                 # writes data/titles/titles.csv (once)
    python benchmarks/titles_label.py show --from t001 -n 25   # titles to label, with context
    python benchmarks/titles_label.py lookup data analyst      # O*NET occupations by keyword
    python benchmarks/titles_label.py occ 15-2051.01           # one occupation: description, titles
    python benchmarks/titles_label.py check                    # labels: format and O*NET codes

The protocol (``benchmarks/data/titles/README.md``): the labeller reads ``show`` (the title
and the posting's context) and looks occupations up with ``lookup`` and ``occ``, which search
O*NET's own titles, alternate titles, reported titles and descriptions by keyword: plain word
overlap, never align's matcher or an embedding. No title coder is run on the titles before
the labels are committed.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from functools import lru_cache

import pandas as pd
from _titles import (
    DATA,
    DRAW,
    GLASSDOOR,
    LABEL_COLUMNS,
    LABELS,
    LINKEDIN,
    UNCLASSIFIABLE,
    draw,
    load_draw,
)

from align import load_framework
from align.exceptions import AlignDataWarning

_WORD = re.compile(r"[a-z0-9]+")
_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")


def words(text: str) -> list[str]:
    """Lower-case words, a plural ``s`` dropped from words of four letters or more."""
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in _WORD.findall(str(text).lower())]  # fmt: skip


@lru_cache(maxsize=1)
def onet_occupations() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        return load_framework("onet", data_dir=DATA).occupations.set_index("code")


def cmd_draw(args: argparse.Namespace) -> int:
    if DRAW.exists() and not args.force:
        print(f"{DRAW} exists: the draw is fixed. (--force rewrites it; never after labelling.)")
        return 1
    out = draw()
    DRAW.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(DRAW, index=False)
    per = out.groupby(["source", "split"]).size().unstack()
    print(f"wrote {len(out)} titles to {DRAW}\n{per}")
    return 0


@lru_cache(maxsize=1)
def _context() -> pd.DataFrame:
    """What the labeller may read besides the title: company, industry, function, level."""
    li = pd.read_csv(
        DATA / LINKEDIN,
        usecols=["job_id", "company_id", "formatted_experience_level", "location"],
        dtype={"job_id": str, "company_id": str},
    )
    folder = (DATA / LINKEDIN).parent
    ind = pd.read_csv(folder / "job_industries.csv.gz", dtype=str).merge(
        pd.read_csv(folder / "industries.csv.gz", dtype=str), on="industry_id", how="left"
    )
    ind = ind.groupby("job_id")["industry_name"].agg(lambda s: "; ".join(s.dropna()))
    fn = pd.read_csv(folder / "job_skills.csv.gz", dtype=str).merge(
        pd.read_csv(folder / "skills.csv.gz", dtype=str), on="skill_abr", how="left"
    )
    fn = fn.groupby("job_id")["skill_name"].agg(lambda s: "; ".join(s.dropna()))
    li["context"] = [
        f"industry: {ind.get(j, '?')} | function: {fn.get(j, '?')} | level: {lvl} | {loc}"
        for j, lvl, loc in zip(
            li["job_id"], li["formatted_experience_level"], li["location"], strict=True
        )
    ]
    li["posting_id"] = "linkedin:" + li["job_id"]
    gd = pd.read_csv(DATA / GLASSDOOR, dtype=str)
    gd["posting_id"] = "glassdoor:" + gd["index"]
    gd["context"] = [
        f"company: {str(c).splitlines()[0]} | {ind_} / {sec} | {' '.join(str(d).split())[:400]}"
        for c, ind_, sec, d in zip(
            gd["Company Name"], gd["Industry"], gd["Sector"], gd["Job Description"], strict=True
        )
    ]
    return pd.concat([li[["posting_id", "context"]], gd[["posting_id", "context"]]]).set_index(
        "posting_id"
    )


def cmd_show(args: argparse.Namespace) -> int:
    d = load_draw()
    start = d.index[d["item"] == args.start][0] if args.start else 0
    ctx = _context()["context"]
    for r in d.iloc[start : start + args.n].itertuples(index=False):
        print(f"{r.item} [{r.source}, {r.postings} postings] {r.title}")
        print(f"      {ctx.get(r.posting_id, '')}")
    return 0


def cmd_lookup(args: argparse.Namespace) -> int:
    """Occupations whose title or alternate/reported titles share the most query words."""
    occ = onet_occupations()
    q = set(words(" ".join(args.words)))
    rows = []
    for code, r in occ.iterrows():
        best = (0.0, "")
        for surface in [r["title"], *(r["alt_titles"] or [])]:
            w = set(words(surface))
            if not w:
                continue
            hit = len(q & w)
            score = hit / len(q) + 0.01 * hit / len(w)
            if score > best[0]:
                best = (score, surface)
        if args.desc:
            hit = len(q & set(words(r["description"])))
            best = max(best, (0.9 * hit / len(q), "[description]"))
        if best[0] > 0:
            rows.append((round(best[0], 3), code, r["title"], best[1]))
    rows.sort(key=lambda t: (-t[0], t[1]))
    for score, code, title, surface in rows[: args.n]:
        print(f"{score:5.2f}  {code}  {title}  <- {surface}")
    return 0


def cmd_occ(args: argparse.Namespace) -> int:
    occ = onet_occupations()
    for code in args.codes:
        r = occ.loc[code]
        print(f"{code}  {r['title']}\n  {r['description']}")
        alts = list(r["alt_titles"] or [])
        print(f"  titles ({len(alts)}): " + "; ".join(alts[: args.n]) + "\n")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    d = load_draw()
    problems: list[str] = []
    if not LABELS.exists():
        print("no labels yet")
        return 1
    lab = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
    if list(lab.columns) != list(LABEL_COLUMNS):
        problems.append(f"labels.csv columns {list(lab.columns)}; expected {list(LABEL_COLUMNS)}")
    occ = onet_occupations()
    unknown = sorted(set(lab["item"]) - set(d["item"]))
    if unknown:
        problems.append(f"items not in the draw: {unknown[:5]}")
    if lab["item"].duplicated().any():
        twice = lab.loc[lab["item"].duplicated(), "item"].tolist()
        problems.append(f"items labelled twice: {twice}")
    for r in lab.itertuples(index=False):
        codes = [r.code, *[c for c in r.alt_code.split(";") if c]]
        for c in codes:
            if c == UNCLASSIFIABLE and c == r.code:
                continue
            if not _CODE.match(c) or c not in occ.index:
                problems.append(f"{r.item}: {c!r} is not an O*NET-SOC code of the release")
        if r.code == UNCLASSIFIABLE and r.alt_code:
            problems.append(f"{r.item}: unclassifiable with an alternative code")
        if r.alt_code and r.alt_code == r.code:
            problems.append(f"{r.item}: alt_code repeats code")
    done = d.merge(lab, on="item")
    print(
        f"{len(lab)} of {len(d)} titles labelled; unclassifiable "
        f"{int((lab['code'] == UNCLASSIFIABLE).sum())}; with a second code "
        f"{int((lab['alt_code'] != '').sum())}"
    )
    print(done.groupby(["source", "split"]).size().unstack(fill_value=0))
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("draw")
    p.add_argument("--force", action="store_true")
    p.set_defaults(fn=cmd_draw)
    p = sub.add_parser("show")
    p.add_argument("--from", dest="start")
    p.add_argument("-n", type=int, default=25)
    p.set_defaults(fn=cmd_show)
    p = sub.add_parser("lookup")
    p.add_argument("words", nargs="+")
    p.add_argument("-n", type=int, default=15)
    p.add_argument("--desc", action="store_true", help="search descriptions too")
    p.set_defaults(fn=cmd_lookup)
    p = sub.add_parser("occ")
    p.add_argument("codes", nargs="+")
    p.add_argument("-n", type=int, default=25)
    p.set_defaults(fn=cmd_occ)
    p = sub.add_parser("check")
    p.set_defaults(fn=cmd_check)
    args = ap.parse_args()
    return int(args.fn(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

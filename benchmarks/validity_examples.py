"""The five worked examples of issue 10, scored as a new user would (O*NET demand).

* ``cyber-strong`` -- seven specific cybersecurity outcomes (15-1212.00);
* ``cyber-vague`` -- three vague outcomes for the same target;
* ``cyber-onet-words`` -- the strong badge with each outcome replaced by the label
  of its best-matching O*NET detailed work activity of the target (built at run
  time: O*NET text is not committed);
* ``welding -> welders`` and ``welding -> data scientists``.

Usage::

    python benchmarks/validity_examples.py

Prints a Markdown table (overall and the four components) and writes
``benchmarks/out/validity_examples.json``.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _validity_common import OUT, onet

import align
from align.exceptions import AlignDataWarning

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples" / "validity"


def onet_worded(strong: align.Proposal) -> align.Proposal:
    """The strong proposal with each outcome replaced by its best DWA label of the target."""
    from align._match import Matcher

    fw = onet()
    prof = fw.occupation_profile(strong.target_occupations[0])
    tasks = set(prof.loc[prof["kind"] == "task", "id"])
    rel = fw.relations
    dwa_ids = set(rel[(rel["relation"] == "related") & rel["source_id"].isin(tasks)]["target_id"])
    comps = fw.competencies[fw.competencies["id"].isin(dwa_ids)].reset_index(drop=True)
    m = Matcher(align.Framework(fw.info, comps), kinds="all").fit()
    best = m.match(strong.outcome_texts, top_k=1)
    data = strong.to_dict()
    for o, label in zip(data["outcomes"], best["label"], strict=True):
        o["text"] = label
    data["id"], data["title"] = "cyber-onet-words", strong.title + " (O*NET wording)"
    return align.Proposal.model_validate(data)


def proposals() -> dict[str, align.Proposal]:
    strong = align.load_proposal(EXAMPLES / "cyber-strong.yaml")
    return {
        "cyber-strong (15-1212.00)": strong,
        "cyber-vague (15-1212.00)": align.load_proposal(EXAMPLES / "cyber-vague.yaml"),
        "cyber-strong in O*NET's words (15-1212.00)": onet_worded(strong),
        "welding -> welders (51-4121.00)": align.load_proposal(EXAMPLES / "welding.yaml"),
        "welding -> data scientists (15-2051.00)": align.load_proposal(
            EXAMPLES / "welding-data-scientists.yaml"
        ),
    }


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        fws = [onet(), align.load_framework("nace"), align.load_framework("cmc")]
        out = {}
        for name, p in proposals().items():
            r = align.score_alignment(p, fws)
            comp = dict(zip(r.components["component"], r.components["value"], strict=True))
            out[name] = {
                "overall": round(r.overall, 1),
                **{k: round(v, 3) for k, v in comp.items()},
            }
    print("| proposal (target) | overall | D | R | F | B |\n|---|---:|---:|---:|---:|---:|")
    for name, v in out.items():
        print(
            f"| {name} | {v['overall']:.1f} | {v['demand_coverage']:.2f} | {v['relevance']:.2f} "
            f"| {v['framework_alignment']:.2f} | {v['balance']:.2f} |"
        )
    OUT.mkdir(exist_ok=True)
    tag = sys.argv[1] if len(sys.argv) > 1 else ""
    (OUT / f"validity_examples{tag}.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Skill demand from job-posting exports
#
# Offices judge workforce alignment from Lightcast job-posting exports. No openly licensed
# Lightcast export exists, so this notebook makes a **synthetic** Lightcast-shaped export (real
# Lightcast skill names and O*NET-SOC codes, invented postings, every row labelled synthetic),
# loads it into a DuckDB postings database, and asks what computer and mathematical postings
# demand. The synthetic skills are drawn at random (long-tailed), so the rankings below show
# how the tables look, not what the market wants. With a real export, pass your file to
# `ingest_postings` instead.

# %%
import tempfile
from pathlib import Path

import align
from align.postings import write_synthetic_postings

work = Path(tempfile.mkdtemp())
export = write_synthetic_postings(work / "synthetic_export.csv", rows=5_000, seed=1, progress=False)
batches = align.ingest_postings(export, work / "postings.duckdb", progress=False)
batches[["file", "rows_read", "rows_loaded", "rows_rejected"]]

# %% [markdown]
# `skill_demand` ranks the skills that matching postings ask for: postings mentioning each skill,
# their share of the matching postings, and the trend between periods. Occupations filter by
# O*NET-SOC code or SOC prefix (`15-` is every computer and mathematical occupation).

# %%
demand = align.skill_demand(work / "postings.duckdb", occupation="15-", top=15)
demand

# %%
align.occupation_counts(work / "postings.duckdb").head(10)

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
# # Competency frameworks in one model
#
# Every framework `align` reads (O*NET, ESCO, Lightcast Open Skills, NACE, CMC, CASE packages,
# spreadsheets) becomes one `Framework`: metadata plus three pandas DataFrames with documented
# columns. This notebook loads the built-in NACE framework and a real O*NET release, and looks at
# one occupation's profile. Set `ALIGN_DATA_DIR` to the folder that holds your releases
# (`onet/`, `esco/`, ...); `make` sets it to `../shared/data`.

# %%
import align

nace = align.load_framework("nace")
nace

# %% [markdown]
# Competencies carry a namespaced `id`, the source `code`, the published `label`, a `kind`, the
# hierarchy (`parent_id`, `level`) and an official `url` (badges need it).

# %%
nace.competencies[["id", "label", "kind", "parent_id", "level"]].head(10)

# %%
onet = align.load_framework("onet")  # parsed once, then read from the on-disk cache
print(onet.info.name, onet.info.version, "-", onet.info.licence)
onet.counts()

# %% [markdown]
# `occupation_profile` lists what an occupation requires, with O*NET importance (1–5), level
# (0–7) and a weight in [0, 1].

# %%
profile = onet.occupation_profile("15-2051.00")  # Data Scientists
profile.loc[profile["kind"] == "skill", ["label", "importance", "rating_level", "weight"]].head(10)

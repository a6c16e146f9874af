"""Two Matcher fits at once on the shared embedder (a dashboard's session threads).

A fake model stands in for the sentence-transformers one, so no model loads: it
holds both fits inside ``encode`` at the same time and records what it sees.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from align import Framework, FrameworkInfo, Matcher
from align._embed import Embedder


def _fw(key: str, labels: list[str]) -> Framework:
    info = FrameworkInfo(
        key=key, name=key, publisher="t", version="1", source_url="", licence="CC0", attribution=""
    )
    return Framework(
        info,
        pd.DataFrame(
            {
                "id": [f"{key}:{i}" for i in range(len(labels))],
                "framework": key,
                "code": [str(i) for i in range(len(labels))],
                "label": labels,
                "kind": "skill",
            }
        ),
    )


class _Model:
    """Returns one fixed unit vector per text; both fits meet at a barrier inside encode."""

    def __init__(self, emb: Embedder) -> None:
        self.emb = emb
        self.barrier = threading.Barrier(2, timeout=30)
        self.flags_seen: list[bool | None] = []

    def encode(self, texts: list[str], **kw: object) -> np.ndarray:
        self.flags_seen.append(self.emb.show_progress)
        self.barrier.wait()  # the other fit is inside encode now too
        self.flags_seen.append(self.emb.show_progress)
        rng = np.random.default_rng(len(texts))
        v = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_two_fits_at_once_do_not_touch_the_shared_embedder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tqdm.auto

    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    emb = Embedder(cache_dir=tmp_path, use_cache=False)
    model = _Model(emb)
    emb._model = model
    bars: dict[str, bool] = {}
    real_tqdm = tqdm.auto.tqdm

    def recording_tqdm(*args: object, **kw: object) -> object:
        bars[threading.current_thread().name] = not kw.get("disable", False)
        return real_tqdm(*args, **kw)

    monkeypatch.setattr(tqdm.auto, "tqdm", recording_tqdm)
    fits = {
        "loud": Matcher(
            _fw("a", ["Budget planning", "Teamwork", "Welding"]),
            "semantic",
            embedder=emb,
            show_progress=True,
        ),
        "quiet": Matcher(
            _fw("b", ["Forklift operation", "Patient care", "SQL"]),
            "semantic",
            embedder=emb,
            show_progress=False,
        ),
    }
    errors: list[BaseException] = []

    def run(m: Matcher) -> None:
        try:
            m.fit()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(m,), name=n) for n, m in fits.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert all(m.vectors_ is not None for m in fits.values())
    # Each fit drew (or hid) its own progress bar ...
    assert bars == {"loud": True, "quiet": False}
    # ... and the shared embedder's setting never changed, not even while both ran.
    assert model.flags_seen == [None] * 4
    assert emb.show_progress is None

"""Fixtures shared by the framework loader tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def isolated_cache(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Point the framework cache at a fresh folder, except for real-data tests.

    Fixture releases never touch the shared cache; real-data tests reuse it so
    the real O*NET and ESCO are parsed once, not once per test.
    """
    if request.node.get_closest_marker("realdata") is None:
        monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))

"""Serve the dashboard with its caches warm before the first visitor.

``streamlit run serve.py`` (``make run`` does this) starts the same app as
``streamlit run app.py``, but loads the model and the frameworks, indexes O*NET's
titles and scores the example proposal while the server starts, so the first
visitor does not wait for them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

log = logging.getLogger("align.dashboard")


@asynccontextmanager
async def warm_caches(_app: object) -> AsyncIterator[None]:
    from align.exceptions import AlignError
    from app_pages import _state

    start = time.perf_counter()
    try:
        await asyncio.to_thread(_state.warm)
    except AlignError as exc:  # e.g. no O*NET release yet: serve anyway, and say why
        log.warning("align: caches not warmed (%s); the first visitor loads them.", exc)
    else:
        took = time.perf_counter() - start
        log.warning("align: caches warm in %.1f s; the dashboard is ready.", took)
    yield


app = st.App("app.py", lifespan=warm_caches)

"""Skill extraction on Dask: the same batches, matched on a cluster's workers.

Partitions (batches of ``posting_id``/``body``) are streamed to the workers
with a bounded number in flight, so neither the client nor the cluster holds
the whole corpus. Each worker loads the taxonomy and fits its matcher once
(cached per worker for the life of the worker process) and runs the same
batch function as the local engine (passed in by
:func:`align.postings.extract_skills`, so this module imports nothing of the
extraction), so results are identical. Results come back in input order.

Dask is an optional extra: ``pip install 'align[dask]'``.

On a SLURM cluster, start a scheduler and workers with ``dask-jobqueue`` (see
``benchmarks/RESULTS-postings.md``) and pass its address as ``scheduler``.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pandas as pd

from align._config import PathLike
from align.exceptions import MissingDependencyError

__all__ = ["require_distributed", "run_on_dask"]

logger = logging.getLogger(__name__)

_MATCHERS: dict[tuple[Any, ...], Any] = {}
_LOCK = threading.Lock()


def require_distributed() -> None:
    """Raise :class:`MissingDependencyError` when Dask's ``distributed`` is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            "engine='dask' needs Dask (dask and distributed), which is not installed; install "
            "it with `pip install 'align[dask]'`, or use engine='local'."
        ) from exc


def _worker_key() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except ValueError:  # not on a worker (e.g. a synchronous scheduler)
        return "local"


def _content_key(framework: Any) -> str:
    """A key for a framework object that is equal for equal content."""
    comps = framework.competencies
    digest = pd.util.hash_pandas_object(comps[["id", "label"]], index=False).sum()
    return f"{framework.info.name}|{framework.info.version}|{len(comps)}|{int(digest)}"


def _matcher_on_worker(
    make_matcher: Callable[..., Any],
    taxonomy: str,
    method: str,
    data_dir: PathLike | None,
    framework: Any,
    framework_key: str | None,
) -> tuple[Any, bool]:
    """The worker's matcher, and whether this call fitted it."""
    # The framework is keyed by its content, not id(): a worker process may hold
    # more than one deserialised copy of the same scattered framework.
    key = (_worker_key(), taxonomy, method, str(data_dir), framework_key)
    with _LOCK:
        fitted = key not in _MATCHERS
        if fitted:
            logger.info("worker %s: fitting the %s matcher", key[0], taxonomy)
            _MATCHERS[key] = make_matcher(taxonomy, method, data_dir=data_dir, framework=framework)
        return _MATCHERS[key], fitted


def _extract_partition(
    make_matcher: Callable[..., Any],
    run: Callable[[pd.DataFrame, Any, float], pd.DataFrame],
    batch: pd.DataFrame,
    taxonomy: str,
    method: str,
    threshold: float,
    data_dir: PathLike | None,
    framework: Any,
    framework_key: str | None,
) -> pd.DataFrame:
    matcher, fitted = _matcher_on_worker(
        make_matcher, taxonomy, method, data_dir, framework, framework_key
    )
    out = run(batch, matcher, threshold)
    # Which worker ran the partition, and whether it had to fit its matcher: the
    # caller reports how many fits the run took (once per worker).
    out.attrs["worker"] = _worker_key()
    out.attrs["fitted"] = fitted
    return out


def run_on_dask(
    batches: Iterable[pd.DataFrame],
    *,
    make_matcher: Callable[..., Any],
    run: Callable[[pd.DataFrame, Any, float], pd.DataFrame],
    taxonomy: str,
    method: str,
    threshold: float,
    data_dir: PathLike | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    framework: Any = None,
    in_flight: int | None = None,
) -> Iterator[pd.DataFrame]:
    """Run extraction batches on Dask; yield each batch's result in input order.

    Parameters
    ----------
    batches : iterable of DataFrame
        ``posting_id``/``body`` partitions, consumed lazily.
    make_matcher : callable
        ``make_matcher(taxonomy, method, data_dir=, framework=)`` builds a worker's
        matcher (importable at module level, so it pickles to worker processes).
    run : callable
        ``run(batch, matcher, threshold)`` extracts one partition.
    taxonomy, method, threshold, data_dir
        As in :func:`align.postings.extract_skills`.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); default: start
        a LocalCluster of ``n_workers`` single-threaded worker processes.
    n_workers : int
        Workers of the LocalCluster.
    framework : Framework, optional
        Taxonomy object to send to workers instead of loading it there.
    in_flight : int, optional
        Partitions submitted but not yet collected (default 2 per worker).
    """
    require_distributed()
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        # ":0" picks a free port: None falls back to 8787, so a second extraction
        # (or anything else on 8787) would stop the cluster from starting.
        cluster = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or n_workers)
        limit = in_flight or 2 * workers
        fw = client.scatter(framework, broadcast=True) if framework is not None else None
        fw_key = None if framework is None else _content_key(framework)
        pending: deque[Any] = deque()
        for batch in batches:
            pending.append(
                client.submit(
                    _extract_partition,
                    make_matcher,
                    run,
                    batch,
                    taxonomy,
                    method,
                    threshold,
                    data_dir,
                    fw,
                    fw_key,
                    pure=False,
                )
            )
            while len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

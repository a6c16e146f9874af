"""Processes the dashboard benchmarks start: a free port, and a process tree's CPU and memory.

Read from Linux ``/proc``. CPU time counts only the work done, not the waiting for a busy
CPU, so it stays comparable when other jobs load the machine (wall time does not).
"""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from pathlib import Path

__all__ = ["free_port", "tree_cpu_seconds", "tree_rss_mb", "wait_for_streamlit"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree(root: int, field: str) -> float:
    """Sum of ``field`` ("cpu": seconds, "rss": kB) over ``root`` and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    kids: dict[int, list[int]] = {}
    value: dict[int, float] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            rest = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(rest[1]), []).append(int(d.name))
        if field == "cpu":  # utime + stime, in clock ticks
            value[int(d.name)] = (int(rest[11]) + int(rest[12])) / tick
        else:  # resident pages
            value[int(d.name)] = int(rest[21]) * os.sysconf("SC_PAGE_SIZE") / 1024
    total, todo, seen = 0.0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += value.get(pid, 0.0)
        todo += kids.get(pid, [])
    return total


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by process ``root`` and its live descendants."""
    return _tree(root, "cpu")


def tree_rss_mb(root: int) -> float:
    """Resident memory of process ``root`` and its live descendants, MB."""
    return _tree(root, "rss") / 1024


def wait_for_streamlit(url: str, seconds: float) -> bool:
    """Poll the Streamlit server at ``url`` until its health check answers (True) or
    ``seconds`` pass (False)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            return True
        except OSError:
            time.sleep(0.5)
    return False

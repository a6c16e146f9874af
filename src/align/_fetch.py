"""Download official framework releases into the data folder (``align data fetch onet``).

The O*NET release zip is streamed to a temporary file next to its destination,
checked (size against ``Content-Length``, every member's CRC, the files a
release needs, the sha256 against the manifest shipped as package data,
``align/_manifests/onet.json``, when it records one), unpacked into a temporary
folder and only then renamed to ``<data_dir>/onet/db_<x_y>/``. An interrupted or
failed download never leaves a half-written release where the loader would find it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import httpx

from align._config import PathLike
from align._config import data_dir as _resolve_data_dir
from align.exceptions import DownloadError, FrameworkFormatError, InvalidArgumentError

__all__ = ["fetch_onet", "onet_manifest", "onet_release_folder"]

logger = logging.getLogger(__name__)

ONET_BASE_URL = "https://www.onetcenter.org/dl_files/database"
ONET_PAGE = "https://www.onetcenter.org/database.html"
# Package data: a wheel install finds it next to this module.
_MANIFEST = Path(__file__).resolve().parent / "_manifests" / "onet.json"
_FALLBACK_MANIFEST: dict[str, Any] = {
    "default_release": "29.3",
    "base_url": ONET_BASE_URL,
    "file_template": "db_{major}_{minor}_text.zip",
    "releases": {},
}
_RELEASE_RE = re.compile(r"^(\d+)\.(\d+)$")
RECORD_NAME = "align-download.json"


def onet_manifest(path: PathLike | None = None) -> dict[str, Any]:
    """Return the O*NET release manifest (known releases, URLs, checksums).

    Parameters
    ----------
    path : str or Path, optional
        A manifest JSON file; default the one shipped with align
        (``align/_manifests/onet.json``), else a built-in one with no checksums.
    """
    file = Path(path) if path is not None else _MANIFEST
    if not file.is_file():
        if path is not None:
            raise InvalidArgumentError(
                f"manifest={str(file)!r} does not exist; give the path of an O*NET manifest "
                "JSON file or leave it out."
            )
        return dict(_FALLBACK_MANIFEST)
    try:
        manifest = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidArgumentError(
            f"manifest {str(file)!r} is not readable JSON ({exc}); fix or remove the file."
        ) from exc
    return {**_FALLBACK_MANIFEST, **manifest}


def _parse_release(release: str) -> tuple[int, int]:
    m = _RELEASE_RE.match(release.strip())
    if not m:
        raise InvalidArgumentError(
            f"release={release!r} is not an O*NET release number; expected the form "
            "'29.3' (major.minor), as listed on " + ONET_PAGE + "."
        )
    return int(m.group(1)), int(m.group(2))


def _url_for(release: str, base_url: str | None, manifest: dict[str, Any]) -> str:
    major, minor = _parse_release(release)
    name = str(manifest["file_template"]).format(major=major, minor=minor)
    if base_url:
        return f"{base_url.rstrip('/')}/{name}"
    known = manifest["releases"].get(release, {})
    return str(known.get("url") or f"{str(manifest['base_url']).rstrip('/')}/{name}")


def _download(url: str, dest: Path, *, timeout: float, progress: bool) -> tuple[str, int]:
    """Stream ``url`` into ``dest``; return (sha256, bytes)."""
    from tqdm.auto import tqdm

    from align import __version__

    digest = hashlib.sha256()
    received = 0
    hint = (
        f"Check release= and base_url=, or download the zip yourself from {ONET_PAGE} "
        "and import it with `align data import onet <zip>`."
    )
    try:
        with httpx.stream(
            "GET",
            url,
            follow_redirects=True,
            timeout=timeout,
            headers={"User-Agent": f"align/{__version__} (+{ONET_PAGE})"},
        ) as response:
            if response.status_code != 200:
                raise DownloadError(
                    f"downloading {url} failed: the server answered HTTP "
                    f"{response.status_code} {response.reason_phrase}, expected 200 with the "
                    f"release zip. {hint}"
                )
            expected = response.headers.get("Content-Length")
            total = int(expected) if expected and expected.isdigit() else None
            with (
                open(dest, "wb") as fh,
                tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=PurePosixPath(url).name,
                    disable=not progress,
                ) as bar,
            ):
                for chunk in response.iter_bytes(1 << 16):
                    fh.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except httpx.HTTPError as exc:
        raise DownloadError(
            f"downloading {url} failed after {received:,} bytes ({type(exc).__name__}: {exc}); "
            f"the connection broke or the server is unreachable. Try again. {hint}"
        ) from exc
    if total is not None and received != total:
        raise DownloadError(
            f"download of {url} is truncated: got {received:,} of the {total:,} bytes the server "
            "announced. Try again."
        )
    return digest.hexdigest(), received


def _check_zip(zpath: Path, url: str) -> list[str]:
    """CRC-test the zip and check the release layout; return its member names."""
    from align.frameworks.onet import _scan_zip

    try:
        with zipfile.ZipFile(zpath) as zf:
            bad = zf.testzip()
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        head = zpath.read_bytes()[:60]
        raise DownloadError(
            f"{url} did not deliver a zip file ({exc}; it starts with {head!r}); expected the "
            "O*NET release zip. The address may point at a web page: check base_url=."
        ) from exc
    if bad is not None:
        raise DownloadError(
            f"the zip downloaded from {url} is damaged: member {bad!r} fails its CRC check. "
            "Download it again."
        )
    try:
        _scan_zip(zpath)
    except FrameworkFormatError as exc:
        raise DownloadError(
            f"the zip downloaded from {url} is not an O*NET release: {exc}"
        ) from exc
    return names


def _extract(zpath: Path, dest: Path, url: str) -> None:
    """Unpack ``zpath`` into ``dest``, dropping a single top-level folder."""
    with zipfile.ZipFile(zpath) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        parts = [PurePosixPath(m.filename).parts for m in members]
        for p in parts:
            if not p or p[0] in {"", "/"} or ".." in p or ":" in p[0]:
                raise DownloadError(
                    f"the zip downloaded from {url} has a member {'/'.join(p)!r} that would be "
                    "written outside the release folder; refusing to unpack it. Download the "
                    "official release from " + ONET_PAGE + "."
                )
        strip = 1 if len({p[0] for p in parts}) == 1 and all(len(p) > 1 for p in parts) else 0
        for member, p in zip(members, parts, strict=True):
            target = dest.joinpath(*p[strip:])
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)


def onet_release_folder(
    release: str | None = None,
    *,
    data_dir: PathLike | None = None,
    manifest: PathLike | None = None,
) -> Path:
    """Return where :func:`fetch_onet` puts ``release``: ``<data_dir>/onet/db_<x_y>``."""
    info = onet_manifest(manifest)
    major, minor = _parse_release((release or str(info["default_release"])).strip())
    return _resolve_data_dir(data_dir) / "onet" / f"db_{major}_{minor}"


def fetch_onet(
    release: str | None = None,
    *,
    data_dir: PathLike | None = None,
    base_url: str | None = None,
    force: bool = False,
    progress: bool = True,
    timeout: float = 60.0,
    manifest: PathLike | None = None,
) -> Path:
    """Download an official O*NET release zip and unpack it into the data folder.

    Parameters
    ----------
    release : str, optional
        Release number such as ``"29.3"``; default the manifest's default release.
    data_dir : str or Path, optional
        Data folder (default ``ALIGN_DATA_DIR``, then a user data folder); the
        release goes to ``<data_dir>/onet/db_<x_y>/``.
    base_url : str, optional
        Folder URL holding ``db_<x_y>_text.zip`` (default ``ALIGN_ONET_BASE_URL``,
        then the manifest's URL on onetcenter.org). For mirrors and tests.
    force : bool
        Replace a release folder that is already there (otherwise it is kept
        and nothing is downloaded).
    progress : bool
        Show a progress bar.
    timeout : float
        Seconds to wait for the server between chunks.
    manifest : str or Path, optional
        Release manifest (default the one shipped with align).

    Returns
    -------
    Path
        The release folder.

    Raises
    ------
    DownloadError
        HTTP error, broken connection, truncated body, not a zip, CRC error,
        not an O*NET release, or a checksum different from the manifest's.
    """
    info = onet_manifest(manifest)
    release = (release or str(info["default_release"])).strip()
    _parse_release(release)
    base_url = base_url or os.environ.get("ALIGN_ONET_BASE_URL") or None
    url = _url_for(release, base_url, info)
    target = onet_release_folder(release, data_dir=data_dir, manifest=manifest)
    onet_dir = target.parent
    if target.exists() and not force:
        logger.info("O*NET %s is already in %s; not downloading", release, target)
        return target
    onet_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=onet_dir, prefix=".download-", suffix=".zip")
    os.close(fd)
    tmp_zip = Path(tmp_name)
    tmp_dir: Path | None = None
    try:
        logger.info("downloading %s", url)
        sha256, size = _download(url, tmp_zip, timeout=timeout, progress=progress)
        expected = (info["releases"].get(release) or {}).get("sha256")
        if expected and expected.lower() != sha256:
            raise DownloadError(
                f"the zip downloaded from {url} has sha256 {sha256}, but the manifest records "
                f"{expected} for O*NET {release}; the file differs from the one we know. Do not "
                "use it; try again later or report it."
            )
        _check_zip(tmp_zip, url)
        tmp_dir = Path(tempfile.mkdtemp(dir=onet_dir, prefix=".unpack-"))
        _extract(tmp_zip, tmp_dir, url)
        record = {
            "release": release,
            "url": url,
            "sha256": sha256,
            "bytes": size,
            "sha256_checked_against_manifest": bool(expected),
            "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (tmp_dir / RECORD_NAME).write_text(json.dumps(record, indent=2) + "\n", "utf-8")
        if target.exists():
            old = onet_dir / f".old-{target.name}-{os.getpid()}"
            os.replace(target, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp_dir, target)
        tmp_dir = None
        logger.info("O*NET %s unpacked into %s (sha256 %s)", release, target, sha256)
        return target
    finally:
        tmp_zip.unlink(missing_ok=True)
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)

"""Hostile vector files through `align cache import`, as a careless or hostile user makes them.

One real export (NACE, built in, with the real model) is written per module; each
case derives a file from it at test time (permuted, rotated, re-scaled, 8-dimension,
compressed bombs, huge headers, wrong manifest types, random keys, ...), imports it
into a fresh cache through the CLI and checks what a user sees: exit 2, one
``error:`` line naming the file, no traceback, nothing added to the cache; and that
matching afterwards works and gives the same answer as before.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from align import _embed

pytestmark = pytest.mark.slow

Result = Any  # conftest.Result: code, out, err, message


@dataclass
class Good:
    path: Path
    manifest: dict[str, Any]
    keys: np.ndarray
    vectors: np.ndarray


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _machine(root: Path, name: str) -> Path:
    """A cache folder that shares the session's exported ONNX model (not exported again)."""
    models = Path(os.environ["ALIGN_CACHE_DIR"]) / "models"
    models.mkdir(parents=True, exist_ok=True)
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "models").symlink_to(models, target_is_directory=True)
    return folder


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Good]:
    from align._framework_vectors import export_vectors
    from align._vector_store import _STORES

    root = tmp_path_factory.mktemp("office")
    office = _machine(root, "office")
    old = os.environ["ALIGN_CACHE_DIR"]
    os.environ["ALIGN_CACHE_DIR"] = str(office)
    try:
        path = root / "nace.alignvec"
        export_vectors(path, "nace")
    finally:
        os.environ["ALIGN_CACHE_DIR"] = old
        for store in list(_STORES.values()):
            store.close()
        _STORES.clear()
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        keys = np.load(io.BytesIO(zf.read("keys-0.npy")))
        vectors = np.load(io.BytesIO(zf.read("vectors-0.npy")))
    yield Good(path, manifest, keys, vectors)


@pytest.fixture
def staff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = _machine(tmp_path, "staff")
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(folder))
    yield folder
    for store in list(_embed._STORES.values()):
        store.close()
    _embed._STORES.clear()


def write(
    path: Path,
    manifest: dict[str, Any] | bytes,
    members: dict[str, bytes],
    *,
    sums: bool = True,
    compress: int = zipfile.ZIP_STORED,
) -> Path:
    """A vector file with fresh checksums (as anyone editing a file can write them)."""
    if isinstance(manifest, dict):
        manifest = dict(manifest)
        if sums:
            manifest["sha256"] = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}
        manifest = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w", compress) as zf:
        zf.writestr("manifest.json", manifest)
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _members(keys: np.ndarray, vectors: np.ndarray) -> dict[str, bytes]:
    return {"keys-0.npy": _npy(keys), "vectors-0.npy": _npy(vectors)}


def _rows(manifest: dict[str, Any], n: int, framework: str | None = None) -> dict[str, Any]:
    meta = dict(manifest["sets"][0], rows=n)
    if framework is not None:
        meta.update(framework=framework, version="", target="")
    return dict(manifest, vectors=n, sets=[meta])


# -- the cases ------------------------------------------------------------------------------
def permuted(g: Good, p: Path) -> Path:
    order = np.random.default_rng(1).permutation(len(g.vectors))
    return write(p, g.manifest, _members(g.keys, g.vectors[order]))


def rotated(g: Good, p: Path) -> Path:
    # An orthogonal map keeps every length 1: only recomputing the vectors tells.
    q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((384, 384)))
    return write(p, g.manifest, _members(g.keys, (g.vectors @ q).astype(np.float32)))


def one_vector_everywhere(g: Good, p: Path) -> Path:
    return write(p, g.manifest, _members(g.keys, np.tile(g.vectors[:1], (len(g.keys), 1))))


def rescaled(g: Good, p: Path) -> Path:
    # Longer vectors make every dot product larger: every score became 1.0.
    return write(p, g.manifest, _members(g.keys, g.vectors * np.float32(10)))


def not_finite(g: Good, p: Path) -> Path:
    v = g.vectors.copy()
    v[3, 5] = np.nan
    return write(p, g.manifest, _members(g.keys, v))


def eight_dimensions(g: Good, p: Path) -> Path:
    v = np.random.default_rng(3).standard_normal((len(g.keys), 8)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return write(p, dict(g.manifest, dimension=8), _members(g.keys, v))


def huge_header(g: Good, p: Path) -> Path:
    # 2 MB whose .npy header claims 3 million rows: np.load would allocate 4.6 GB first.
    n = 3_000_000
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        head, {"descr": "<f4", "fortran_order": False, "shape": (n, 384)}
    )
    members = {
        "keys-0.npy": _npy(np.zeros((len(g.keys), 16), np.uint8)),
        "vectors-0.npy": head.getvalue() + bytes(2_000_000),
    }
    return write(p, _rows(g.manifest, len(g.keys)), members)


def header_disagrees(g: Good, p: Path) -> Path:
    # The sizes agree with the manifest; the header says (384, rows).
    return write(p, g.manifest, _members(g.keys, np.ascontiguousarray(g.vectors.T)))


def deflate_bomb(g: Good, p: Path) -> Path:
    # 4 MB of zeros per member compress to a few kilobytes.
    n = 2600
    members = {
        "keys-0.npy": _npy(np.zeros((n, 16), np.uint8)),
        "vectors-0.npy": _npy(np.zeros((n, 384), np.float32)),
    }
    return write(p, _rows(g.manifest, n), members, compress=zipfile.ZIP_DEFLATED)


def manifest_bomb(g: Good, p: Path) -> Path:
    text = json.dumps(dict(g.manifest)).encode()
    members = _members(g.keys, g.vectors)
    sums = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}
    text = json.dumps(dict(g.manifest, sha256=sums)).encode()
    padded = text[:-1] + b" " * 5_000_000 + b"}"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("manifest.json", padded, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in members.items():
            zf.writestr(name, data)
    return p


def big_stored_manifest(g: Good, p: Path) -> Path:
    members = _members(g.keys, g.vectors)
    sums = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}
    text = json.dumps(dict(g.manifest, sha256=sums, note="x" * 2_000_000)).encode()
    return write(p, text, members)


def many_members(g: Good, p: Path) -> Path:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("manifest.json", json.dumps(g.manifest))
        for i in range(5000):
            zf.writestr(f"keys-{i}.npy", b"")
    return p


def random_keys(g: Good, p: Path) -> Path:
    # Keys of no text this machine has, with plausible unit vectors, in a NACE set.
    n = 20_000
    keys = np.random.default_rng(4).integers(0, 256, (n, 16), dtype=np.uint8)
    return write(p, _rows(g.manifest, n), _members(keys, np.tile(g.vectors[:1], (n, 1))))


def random_keys_unnamed(g: Good, p: Path) -> Path:
    n = 20_000
    keys = np.random.default_rng(5).integers(0, 256, (n, 16), dtype=np.uint8)
    members = _members(keys, np.tile(g.vectors[:1], (n, 1)))
    return write(p, _rows(g.manifest, n, framework="*"), members)


def too_many_vectors(g: Good, p: Path) -> Path:
    return write(p, _rows(g.manifest, 2_000_000, framework="*"), _members(g.keys, g.vectors))


def repeated_keys(g: Good, p: Path) -> Path:
    keys = g.keys.copy()
    keys[1] = keys[0]
    return write(p, g.manifest, _members(keys, g.vectors))


def stale_checksum(g: Good, p: Path) -> Path:
    v = g.vectors.copy()
    v[[0, 1]] = v[[1, 0]]
    return write(p, g.manifest, _members(g.keys, v), sums=False)


def other_release(g: Good, p: Path) -> Path:
    # A framework this machine cannot find by name.
    meta = dict(g.manifest["sets"][0], framework="nace-2030")
    return write(p, dict(g.manifest, sets=[meta]), _members(g.keys, g.vectors))


def typed(field: str, value: Any, in_set: bool = False) -> Callable[[Good, Path], Path]:
    def make(g: Good, p: Path) -> Path:
        if in_set:
            manifest = dict(g.manifest, sets=[dict(g.manifest["sets"][0], **{field: value})])
        else:
            manifest = dict(g.manifest, **{field: value})
        members = _members(g.keys, g.vectors)
        if field == "sha256":
            return write(p, manifest, members, sums=False)
        return write(p, manifest, members)

    make.__name__ = f"type-{field}-{type(value).__name__}"
    return make


@dataclass
class Case:
    id: str
    make: Callable[[Good, Path], Path]
    needles: tuple[str, ...]
    args: tuple[str, ...] = ()


CASES = [
    Case("permuted", permuted, ("do not match", "computed again")),
    Case("rotated", rotated, ("do not match",)),
    Case("one-vector-everywhere", one_vector_everywhere, ("do not match",)),
    Case("rescaled", rescaled, ("not unit vectors",)),
    Case("not-finite", not_finite, ("not unit vectors",)),
    Case("eight-dimensions", eight_dimensions, ("8 dimensions", "384")),
    Case("huge-npy-header", huge_header, ("vectors-0.npy",)),
    Case("header-disagrees", header_disagrees, ("shape",)),
    Case("deflate-bomb", deflate_bomb, ("compressed member",)),
    Case("manifest-bomb", manifest_bomb, ("compressed member", "manifest.json")),
    Case("big-stored-manifest", big_stored_manifest, ("manifest of",)),
    Case("many-members", many_members, ("members",)),
    Case("random-keys", random_keys, ("none of the 20,000",)),
    Case("random-keys-unnamed", random_keys_unnamed, ("--trust",)),
    Case("too-many-vectors", too_many_vectors, ("1,000,000",)),
    Case("repeated-keys", repeated_keys, ("repeats keys",)),
    Case("stale-checksum", stale_checksum, ("checksum",)),
    Case("unknown-framework", other_release, ("nace-2030", "--framework PATH")),
    Case("verify-zero", permuted, ("--verify",), ("--verify", "0")),
    Case("type-dimension-str", typed("dimension", "384"), ("'dimension'", "whole number")),
    Case("type-dimension-list", typed("dimension", [384]), ("'dimension'",)),
    Case("type-dimension-bool", typed("dimension", True), ("'dimension'",)),
    Case("type-sets-mapping", typed("sets", {"a": 1}), ("'sets'", "list")),
    Case("type-sets-strings", typed("sets", ["x"]), ("set 0",)),
    Case("type-rows-str", typed("rows", "256", in_set=True), ("'rows'",)),
    Case("type-framework-int", typed("framework", 7, in_set=True), ("'framework'",)),
    Case("type-kinds-int", typed("kinds", 7, in_set=True), ("'kinds'",)),
    Case("type-sha256-list", typed("sha256", ["x"]), ("'sha256'", "mapping")),
    Case("type-sha256-int", typed("sha256", {"keys-0.npy": 5}), ("SHA-256",)),
    Case("type-model-int", typed("model_id", 7), ("'model_id'",)),
    Case("type-vectors-str", typed("vectors", "many"), ("many",)),
    Case("type-manifest-list", lambda g, p: write(p, b"[1, 2]", {}), ("JSON object",)),
    Case("manifest-not-json", lambda g, p: write(p, b"{nope", {}), ("not valid JSON",)),
    Case("not-a-zip", lambda g, p: (p.write_bytes(b"hello"), p)[1], ("not an align vector",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_vector_file(
    case: Case, good: Good, staff: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = case.make(good, tmp_path / "hostile.alignvec")
    res = cli("cache", "import", str(path), *case.args)
    assert "Traceback" not in res.err + res.out, res.err
    assert res.code == 2, (res.code, res.err, res.out)
    message = " ".join(res.err[res.err.index("error:") :].split())
    for needle in case.needles:
        assert needle.lower() in message.lower(), (needle, message)
    assert _embed.cache_info(staff / "embeddings")["vectors"] == 0  # nothing imported
    if case.id == "permuted":
        # Matching afterwards works and is what it was (the file changed nothing).
        out = cli("match", "Work well in a team", "--framework", "nace", "--format", "jsonl")
        assert out.code == 0, out.err
        assert json.loads(out.out)["matches"][0]["id"] == "nace:teamwork"


def test_good_file_imports_checked_and_undoes(good: Good, staff: Path, cli: Callable) -> None:
    res = cli("cache", "import", str(good.path))
    assert res.code == 0, res.err
    text = " ".join(res.out.split())
    sha = hashlib.sha256(good.path.read_bytes()).hexdigest()
    assert f"imported {len(good.keys):,} vectors (nace" in text
    assert "computed again here and agree" in text and sha in text
    again = cli("cache", "import", str(good.path))
    n = len(good.keys)
    assert f"kept: {n:,} vectors already cached here." in " ".join(again.out.split())
    listed = cli("cache", "imports", "--json")
    assert [r["added"] for r in json.loads(listed.out)] == [n, 0]
    undo = cli("cache", "undo-import", "1")
    assert undo.code == 0 and f"removed {n:,} vectors" in " ".join(undo.out.split())
    assert _embed.cache_info(staff / "embeddings")["vectors"] == 0
    twice = cli("cache", "undo-import", "1")
    assert twice.code == 2 and "already undone" in twice.message


def test_unnamed_random_keys_are_bounded_even_when_trusted(
    good: Good, staff: Path, cli: Callable, tmp_path: Path
) -> None:
    path = too_many_vectors(good, tmp_path / "big.alignvec")
    res = cli("cache", "import", str(path), "--trust")
    assert res.code == 2 and "at most 1,000,000" in res.message
    path = random_keys_unnamed(good, tmp_path / "unnamed.alignvec")
    res = cli("cache", "import", str(path), "--trust")
    assert res.code == 0, res.err
    assert "not checked (--trust): 20,000" in " ".join(res.out.split())
    assert cli("cache", "undo-import").code == 0
    assert _embed.cache_info(staff / "embeddings")["vectors"] == 0


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    at=st.floats(0, 1),
    junk=st.binary(min_size=1, max_size=64),
    cut=st.booleans(),
)
def test_any_damage_is_a_clear_error_or_a_checked_import(
    good: Good, staff: Path, tmp_path: Path, at: float, junk: bytes, cut: bool
) -> None:
    """Bytes overwritten anywhere (or the file cut there): refused cleanly, or all correct."""
    from align._framework_vectors import import_vectors
    from align._vector_import import undo_import
    from align.exceptions import AlignError

    raw = bytearray(good.path.read_bytes())
    pos = int(at * (len(raw) - 1))
    if cut:
        raw = raw[:pos]
    else:
        raw[pos : pos + len(junk)] = junk
    path = tmp_path / "damaged.alignvec"
    path.write_bytes(bytes(raw))
    try:
        got = import_vectors(path, verify="all")
    except AlignError:
        assert _embed.cache_info(staff / "embeddings")["vectors"] == 0
        return
    # Accepted: then every vector was computed again here and agreed.
    assert got.checked == got.vectors
    undo_import(got.import_id)

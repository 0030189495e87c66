"""The learnt retrieval map (``cache.retrieval_map``, the layer's by default): the index
ranks and floors by the mapped vectors' cosine and holds the mapped row alone, the
verifier's checks read the raw one (read back through the map's inverse), snapshots keep
the raw vectors, and without a map nothing changes. Synthetic vectors; a table stands for
the verifier."""

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.policy import MatchPolicy
from llm_router.cache.probe import probe
from llm_router.cache.retrieval_map import RetrievalMap, shared_retrieval_map
from llm_router.catalog import CacheConfig
from llm_router.errors import ConfigError
from tests.unit.cache.fakes import DIM, SQUEEZE, axis

CUT = 0.9
FOREVER = 2**62


class TableVerifier:
    """The probability of each cached text; ``cosines`` records what it was handed."""

    threshold = CUT

    def __init__(self, table: dict[str, float]):
        self.table = table
        self.cosines: list[float] = []

    def prepare_many(self, texts: Sequence[str]) -> None:
        pass

    def probability(self, cached: str, query: str, cosine: float) -> float:
        self.cosines.append(cosine)
        return self.table[cached]


def saved(tmp_path: Path, weight: np.ndarray) -> Path:
    path = tmp_path / "map.npz"
    np.savez(path, weight=weight.astype(np.float32))
    return path


def policy(verifier: TableVerifier, floor: float = 0.5) -> MatchPolicy:
    return MatchPolicy(floor, False, verifier, CUT, spelling=False)  # type: ignore[arg-type]


def test_the_layers_map_by_default_and_an_index_without_one() -> None:
    """Rule M2b (session 28) shipped the layer's map at the floor 0.5; an index built
    alone (``probe``, the benches) has none unless given one."""
    assert CacheConfig().retrieval_map == "full-mnr.npz"
    assert CacheConfig().verifier_floor == 0.5
    assert TenantIndex(DIM).retrieval_map is None


def test_apply_gives_unit_rows_in_the_shape_given(tmp_path: Path) -> None:
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    one = rmap.apply(axis(0, 1, 0.5))
    rows = rmap.apply(np.stack([axis(0, 1, 0.5), axis(2)]))
    assert one.shape == (DIM,) and rows.shape == (2, DIM)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-6)
    assert np.allclose(rows[0], one)
    assert rmap.dim == DIM and len(rmap.sha256) == 64


def test_a_file_that_is_no_map_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        RetrievalMap.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "wide.npz", weight=np.zeros((2, 3), np.float32))
    with pytest.raises(ConfigError):
        RetrievalMap.load(tmp_path / "wide.npz")
    np.savez(tmp_path / "other.npz", matrix=np.eye(2, dtype=np.float32))
    with pytest.raises(ConfigError):
        RetrievalMap.load(tmp_path / "other.npz")


def test_shared_map_is_read_once(tmp_path: Path) -> None:
    path = str(saved(tmp_path, np.eye(DIM)))
    assert shared_retrieval_map(path) is shared_retrieval_map(path)


def filled(rmap: RetrievalMap | None, rows: dict[str, np.ndarray]) -> TenantIndex:
    index = TenantIndex(DIM, retrieval_map=rmap)
    for text, vector in rows.items():
        index.add(IndexRecord(text, "ctx", text, vector, FOREVER, ""))
    return index


def test_the_identity_map_changes_no_verdict(tmp_path: Path) -> None:
    """Same nearest rows, similarities and verdicts as the raw index, lookup by lookup."""
    rng = np.random.default_rng(3)
    rows = {f"t{i}": v / np.linalg.norm(v) for i, v in
            enumerate(rng.normal(size=(40, DIM)).astype(np.float32))}
    table = {text: p for text, p in zip(rows, rng.uniform(0.5, 1.0, 40), strict=True)}
    raw = filled(None, rows)
    same = filled(RetrievalMap.load(saved(tmp_path, np.eye(DIM))), rows)
    for q in rng.normal(size=(25, DIM)).astype(np.float32):
        q /= np.linalg.norm(q)
        a = raw.search(q, "ctx", 0, policy(TableVerifier(table), 0.2), "query")
        b = same.search(q, "ctx", 0, policy(TableVerifier(table), 0.2), "query")
        assert (a.match and a.match.key) == (b.match and b.match.key)
        assert a.refused_by == b.refused_by and a.probability == b.probability
        assert a.best_similarity == pytest.approx(b.best_similarity, abs=1e-5)


def test_the_map_ranks_and_floors_the_checks_read_the_raw_cosine(tmp_path: Path) -> None:
    """Raw, "near" is the query's nearest and "far" is under the floor; mapped, "far" is
    the nearest and over it: the lookup judges it first, and the verifier is handed the
    raw cosine, not the mapped one."""
    query = axis(0, 1, 1.0)
    rows = {"near": axis(0, 2, 0.5), "far": axis(1, 3, 1.2)}
    raw_far = float(rows["far"] @ query)
    assert raw_far < 0.5 < float(rows["near"] @ query)
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    table = {"near": 0.95, "far": 0.95}
    plain, mapped = TableVerifier(table), TableVerifier(table)
    hit = filled(None, rows).search(query, "ctx", 0, policy(plain), "the query")
    assert hit.match is not None and hit.match.key == "near"
    moved = filled(rmap, rows).search(query, "ctx", 0, policy(mapped), "the query")
    assert moved.match is not None and moved.match.key == "far"
    assert moved.match.similarity > 0.5 > raw_far
    assert mapped.cosines == [pytest.approx(raw_far, abs=1e-6)]


def test_removal_keeps_the_mapped_rows_aligned(tmp_path: Path) -> None:
    """The index holds one row an entry, the mapped vector: after removals each key's row
    is still its own vector's image, and reads back as its raw vector."""
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    rows = {f"t{i}": axis(i % DIM, (i + 1) % DIM, 0.3 * i) for i in range(12)}
    index = filled(rmap, rows)
    index.remove("t3")
    index.remove("t0")
    assert set(index.keys()) == set(rows) - {"t0", "t3"}
    for n, key in enumerate(index.keys()):
        assert np.array_equal(index._vectors[n], rmap.apply(rows[key]))
        assert np.allclose(rmap.unmap(index._vectors[n]), rows[key], atol=1e-6)
    q = axis(5, 6, 0.3 * 5)
    best = index.nearest(q, "ctx", 0, 1)
    assert index.text(best[0][0]) == "t5"
    assert best[0][1] == pytest.approx(float(rmap.apply(rows["t5"]) @ rmap.apply(q)), abs=1e-6)
    live = np.ones(index.semantic_rows, dtype=bool)
    scanned, searched = index.nearest_by_scan(q, live, 3), index.nearest(q, "ctx", 0, 3)
    assert [row for row, _ in scanned] == [row for row, _ in searched]
    assert [s for _, s in scanned] == pytest.approx([s for _, s in searched])


def test_probe_reports_the_mapped_cosine(tmp_path: Path) -> None:
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    cached, query = axis(1, 3, 1.2), axis(0, 1, 1.0)
    verifier = TableVerifier({"the cached text": 0.95})
    raw = probe("the cached text", cached, "the query", query, policy(verifier))
    mapped = probe("the cached text", cached, "the query", query, policy(verifier), rmap)
    assert not raw.hit and raw.refused_by == "threshold"
    assert mapped.hit and mapped.similarity == pytest.approx(
        float(rmap.apply(cached) @ rmap.apply(query)), abs=1e-6)


def test_the_setting_gives_every_tenant_index_the_map(tmp_path: Path) -> None:
    """``cache.retrieval_map`` is read once, when the cache is built (a file that is no map
    fails there, not in a request), and each tenant's index ranks by it; off, none has."""
    from llm_router.cache.service import ResponseCache

    from .test_answers import Store, request

    path = str(saved(tmp_path, SQUEEZE))
    cache = ResponseCache(CacheConfig(retrieval_map=path), Store(), dim=DIM)  # type: ignore[arg-type]
    assert cache.lookup_exact("t", request("first?")) is None  # loads the tenant
    assert cache._tenant("t").index.retrieval_map is shared_retrieval_map(path)
    plain = ResponseCache(CacheConfig(retrieval_map=None), Store(), dim=DIM)  # type: ignore[arg-type]
    assert plain._tenant("t").index.retrieval_map is None
    with pytest.raises(ConfigError):
        ResponseCache(CacheConfig(retrieval_map=str(tmp_path / "none.npz")), Store(),  # type: ignore[arg-type]
                      dim=DIM)


def records_of(rows: dict[str, np.ndarray]) -> list[IndexRecord]:
    return [IndexRecord(text, "ctx", text, vector, FOREVER, f"J#{i:03d}")
            for i, (text, vector) in enumerate(rows.items())]


def test_a_snapshots_entries_are_mapped_in_one_product_as_one_by_one(tmp_path: Path) -> None:
    """``add_many`` (a snapshot's load) maps every row in one product: the same mapped
    rows, bit for bit, as ``add`` one entry at a time, and the same lookups."""
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE + np.random.default_rng(5).normal(
        scale=0.2, size=(DIM, DIM))))
    rng = np.random.default_rng(6)
    rows = {f"t{i}": v / np.linalg.norm(v) for i, v in
            enumerate(rng.normal(size=(300, DIM)).astype(np.float32))}
    records = records_of(rows)
    records.insert(7, IndexRecord("exact", "ctx", "exact", None, FOREVER, "J#007x"))
    one = TenantIndex(DIM, retrieval_map=rmap)
    added_one = [one.add(r) for r in records]
    batch = TenantIndex(DIM, retrieval_map=rmap)
    assert batch.add_many(records) == added_one
    n = one.semantic_rows
    assert n == batch.semantic_rows == 300
    assert np.array_equal(one._vectors[:n], batch._vectors[:n])
    assert one.nbytes == batch.nbytes
    for q in rng.normal(size=(10, DIM)).astype(np.float32):
        q /= np.linalg.norm(q)
        assert one.nearest(q, "ctx", 0, 5) == batch.nearest(q, "ctx", 0, 5)
    plain = TenantIndex(DIM)  # off: add_many is add, one by one
    assert plain.add_many(records) == added_one and plain.semantic_rows == 300


def test_a_mapped_index_counts_the_bytes_of_a_raw_one(tmp_path: Path) -> None:
    """With a map a semantic row holds its mapped vector instead of the raw one (sessions
    28-29 held both): ``max_index_bytes`` and ``newest_within`` count the same bytes an
    entry with a map or without; an exact-only entry holds none."""
    from llm_router.cache.entry import EXACT_BYTES, ROW_BYTES, newest_within

    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    semantic = IndexRecord("a", "ctx", "a text", axis(0), FOREVER, "J#1")
    exact = IndexRecord("b", "ctx", "b", None, FOREVER, "J#2")
    assert semantic.nbytes == ROW_BYTES + sys.getsizeof("a text")
    assert exact.nbytes == EXACT_BYTES
    mapped, raw = TenantIndex(DIM, retrieval_map=rmap), TenantIndex(DIM)
    for index in (mapped, raw):
        index.add(semantic)
        index.add(exact)
    assert mapped.nbytes == raw.nbytes == semantic.nbytes + EXACT_BYTES
    records = records_of({f"t{i}": axis(i % DIM) for i in range(6)})
    budget = 3 * records[0].nbytes + 10  # three rows, mapped or raw
    assert len(list(newest_within(reversed(records), None, budget))) == 3
    capped = TenantIndex(DIM, max_bytes=budget, retrieval_map=rmap)
    capped.add_many(records)
    assert capped.semantic_rows == 3 and capped.nbytes <= budget


def test_a_mapped_index_holds_one_float32_row_an_entry(tmp_path: Path) -> None:
    """The index's arrays, with a map and without, hold the same bytes: one float32 row of
    ``dim`` an entry and the row arrays, no raw copy beside the mapped row (session 28's
    index held both: 1,536 more bytes an entry at 384 dimensions)."""
    rmap = RetrievalMap.load(saved(tmp_path, SQUEEZE))
    records = records_of({f"t{i}": axis(i % DIM, (i + 1) % DIM, 0.1 * i) for i in range(40)})

    def arrays(index: TenantIndex) -> int:  # each array once, however many names it has
        return sum({id(a): a.nbytes for a in vars(index).values()
                    if isinstance(a, np.ndarray)}.values())

    mapped, raw = TenantIndex(DIM, retrieval_map=rmap), TenantIndex(DIM)
    mapped.add_many(records)
    raw.add_many(records)
    assert arrays(mapped) == arrays(raw)
    assert mapped._vectors.shape == raw._vectors.shape and mapped._vectors.dtype == np.float32


def test_the_checks_read_the_raw_cosine_back_from_the_mapped_row(tmp_path: Path) -> None:
    """The cosine the verifier is handed is the raw vectors' (within float32's rounding
    times the weight's condition number), read back through the map's inverse."""
    rng = np.random.default_rng(8)
    weight = np.eye(DIM) + rng.normal(scale=0.2, size=(DIM, DIM))
    rmap = RetrievalMap.load(saved(tmp_path, weight))
    rows = {f"text {i}": v / np.linalg.norm(v) for i, v in
            enumerate(rng.normal(size=(30, DIM)).astype(np.float32))}
    verifier = TableVerifier(dict.fromkeys(rows, 0.0))  # refuses all: every candidate read
    index = filled(rmap, rows)
    q = rows["text 4"] + rng.normal(scale=0.3, size=DIM).astype(np.float32)
    q /= np.linalg.norm(q)
    index.search(q, "ctx", 0, policy(verifier, 0.01), "the query")
    nearest = index.nearest(q, "ctx", 0, 5)
    assert len(verifier.cosines) == 5
    assert verifier.cosines == pytest.approx(
        [float(rows[index.text(row)] @ q) for row, _ in nearest], abs=1e-6)


def test_a_map_that_cannot_be_read_back_is_a_config_error(tmp_path: Path) -> None:
    """A singular weight, or one near it, is refused at load: the raw cosine the checks
    read could not be recovered from a mapped row."""
    from llm_router.cache.retrieval_map import MAX_CONDITION

    with pytest.raises(ConfigError, match="condition number"):
        RetrievalMap.load(saved(tmp_path, np.diag([1.0] * (DIM - 1) + [0.0])))
    with pytest.raises(ConfigError, match="condition number"):
        RetrievalMap.load(saved(tmp_path, np.diag([1.0] * (DIM - 1) + [0.5 / MAX_CONDITION])))
    assert RetrievalMap.load(saved(tmp_path, np.diag([1.0] * (DIM - 1)
                                                     + [2.0 / MAX_CONDITION]))).dim == DIM


def test_the_layers_map_is_read_back_within_its_bound_and_skips_the_svd_at_init(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The layer's map loads without the condition number's SVD (held to its json's sha256
    instead, on every cold start); its condition is checked here once, under the bound a
    map from any other path is refused over at load."""
    from llm_router.cache.retrieval_map import LAYER_DIR, MAX_CONDITION

    weight = RetrievalMap.load(LAYER_DIR / "full-mnr.npz").weight
    assert np.linalg.cond(weight.astype(np.float64)) <= MAX_CONDITION
    called: list[int] = []
    real = np.linalg.cond
    monkeypatch.setattr(np.linalg, "cond", lambda *a, **k: called.append(1) or real(*a, **k))
    shared_retrieval_map.cache_clear()
    try:
        assert shared_retrieval_map("full-mnr.npz").dim == weight.shape[0]
        assert called == []
        RetrievalMap.load(LAYER_DIR / "full-mnr.npz")
        assert called == [1]
    finally:
        shared_retrieval_map.cache_clear()


def test_a_bare_file_name_is_the_layers(tmp_path: Path) -> None:
    from llm_router.cache.retrieval_map import LAYER_DIR, resolve

    assert resolve("full-mnr.npz") == LAYER_DIR / "full-mnr.npz"
    assert LAYER_DIR.parts[-3:] == ("llm_router", "data", "cache_retrieval")
    assert resolve(str(tmp_path / "m.npz")) == tmp_path / "m.npz"
    assert resolve(".cache/cache_retrieval/full-mnr.npz") == Path(
        ".cache/cache_retrieval/full-mnr.npz")


def test_the_snapshot_load_maps_its_entries_as_the_journal_does(tmp_path: Path) -> None:
    """A tenant's snapshot goes into its index through ``add_many``: its mapped rows are
    those of the same entries added one by one."""
    from llm_router.cache.service import ResponseCache

    from .test_answers import Store, request

    rows = {f"t{i}": axis(i % DIM, (i + 3) % DIM, 0.1 * i) for i in range(20)}
    records = records_of(rows)

    class Snapshots:
        def load(self, tenant_id: str) -> tuple[list[IndexRecord], str]:
            return records, records[-1].journal_sk

    path = str(saved(tmp_path, SQUEEZE))
    cache = ResponseCache(CacheConfig(retrieval_map=path), Store(),  # type: ignore[arg-type]
                          snapshots=Snapshots(), dim=DIM)  # type: ignore[arg-type]
    cache.lookup_exact("t", request("first?"))
    index = cache._tenant("t").index
    alone = filled(shared_retrieval_map(path), rows)
    assert index.semantic_rows == alone.semantic_rows == 20
    assert np.array_equal(index._vectors[:20], alone._vectors[:20])


def test_the_shipped_map_is_the_one_its_json_names() -> None:
    """The catalog points at the layer's map (``cache.retrieval_map``), the one rules M and
    M2b decided: its weight's sha256 and the file's are its json's, and the weight's is
    b5af082d; it loads through the init's check and maps MiniLM's 384 dimensions."""
    import hashlib
    import json

    from llm_router.cache.retrieval_map import resolve

    name = CacheConfig().retrieval_map
    assert name == "full-mnr.npz"
    path = resolve(name)
    info = json.loads(path.with_suffix(".json").read_text())
    assert info["sha256"] == RetrievalMap.load(path).sha256 == SHIPPED_MAP_SHA256
    assert info["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "rule M2b" in info["rule"] and info["sources"]
    assert shared_retrieval_map(name).sha256 == SHIPPED_MAP_SHA256
    assert shared_retrieval_map(name).dim == 384


def test_a_layer_map_its_json_does_not_name_fails_at_init(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bare name is the layer's file, held to its json's weight sha256: a swapped or
    truncated file, or one without its json, is a ConfigError when the cache is built."""
    import json

    from llm_router.cache import retrieval_map

    monkeypatch.setattr(retrieval_map, "LAYER_DIR", tmp_path)
    good = RetrievalMap.load(saved(tmp_path, SQUEEZE))  # tmp_path / "map.npz"
    (tmp_path / "map.json").write_text(json.dumps({"sha256": good.sha256}))
    np.savez(tmp_path / "swapped.npz", weight=np.eye(DIM, dtype=np.float32))
    (tmp_path / "swapped.json").write_text(json.dumps({"sha256": good.sha256}))
    np.savez(tmp_path / "bare.npz", weight=np.eye(DIM, dtype=np.float32))
    try:
        assert shared_retrieval_map("map.npz").sha256 == good.sha256
        for name in ("swapped.npz", "bare.npz"):
            with pytest.raises(ConfigError):
                shared_retrieval_map(name)
    finally:
        shared_retrieval_map.cache_clear()


def test_a_map_of_other_dimensions_than_the_caches_fails_at_init(tmp_path: Path) -> None:
    from llm_router.cache.service import ResponseCache

    from .test_answers import Store

    path = str(saved(tmp_path, SQUEEZE))
    with pytest.raises(ConfigError, match="dimensions"):
        ResponseCache(CacheConfig(retrieval_map=path), Store(), dim=2 * DIM)  # type: ignore[arg-type]


SHIPPED_MAP_SHA256 = "b5af082d38c88262006e0173802a9f07525baf0c58a830f69c84246f0c789f0e"


def test_make_cache_retrieval_map_layer_writes_the_file_and_its_json(tmp_path: Path) -> None:
    """``train/cache_retrieval/ship.py`` (``make cache-retrieval-map LAYER=1``): the npz
    byte for byte and a json with both sha256s, the sources and licences, and the rule."""
    import hashlib
    import json
    import sys

    from train.cache_retrieval import ship

    weight = (np.eye(DIM) + 0.1).astype(np.float32)
    sha = hashlib.sha256(weight.tobytes()).hexdigest()
    meta = {"recipe": {"shape": "full"}, "pairs": {"paraphrases": 1}, "weight_sha256": sha,
            "sources": {"heldout9": {"licence": "written for this project (Apache-2.0)"}}}
    fitted = tmp_path / "fit" / "full-mnr.npz"
    fitted.parent.mkdir()
    np.savez(fitted, weight=weight, meta=np.array(json.dumps(meta)))
    layer = tmp_path / "layer"
    argv = sys.argv
    sys.argv = ["ship.py", "--map", str(fitted), "--out-dir", str(layer)]
    try:
        ship.main()
    finally:
        sys.argv = argv
    assert (layer / "full-mnr.npz").read_bytes() == fitted.read_bytes()
    info = json.loads((layer / "full-mnr.json").read_text())
    assert info["sha256"] == sha == RetrievalMap.load(layer / "full-mnr.npz").sha256
    assert info["file_sha256"] == hashlib.sha256(fitted.read_bytes()).hexdigest()
    assert info["sources"] == meta["sources"] and "rule M" in info["rule"]
    assert "non-commercial" in info["licence"]
    assert ship.LAYER_DIR.parts[-3:] == ("llm_router", "data", "cache_retrieval")


def test_a_snapshot_written_before_one_row_an_entry_loads(tmp_path: Path) -> None:
    """``data/snapshot-2-a1ee7c5.npz`` was written by the snapshot code of a1ee7c5 (the
    index then held raw and mapped rows; the script is in docs/cache-history.md "Session
    29: one vector row an entry"): it loads into an index with a map, each row its raw
    vector's image, each entry found by its own vector; and the format is unchanged (the
    snapshot keeps the raw vectors), so what the rebuild writes now an older router reads."""
    from llm_router.cache.service import ResponseCache
    from llm_router.cache.snapshots import decode, encode

    from .test_answers import Store, request

    blob = (Path(__file__).parent / "data" / "snapshot-2-a1ee7c5.npz").read_bytes()
    records, watermark = decode(blob)
    assert len(records) == 7 and sum(r.embedding is None for r in records) == 1
    assert watermark == records[-1].journal_sk

    class Snapshots:
        def load(self, tenant_id: str) -> tuple[list[IndexRecord], str]:
            return records, watermark

    weight = np.eye(DIM) + np.random.default_rng(29).normal(scale=0.2, size=(DIM, DIM))
    path = str(saved(tmp_path, weight))
    cache = ResponseCache(CacheConfig(retrieval_map=path), Store(),  # type: ignore[arg-type]
                          snapshots=Snapshots(), dim=DIM)  # type: ignore[arg-type]
    cache.lookup_exact("t", request("first?"))
    index = cache._tenant("t").index
    rmap = shared_retrieval_map(path)
    semantic = [r for r in records if r.embedding is not None]
    assert index.keys() == [r.key for r in semantic] and len(index) == 7
    assert index.nbytes == sum(r.nbytes for r in records)
    for n, record in enumerate(semantic):
        assert record.embedding is not None
        assert np.array_equal(index._vectors[n], rmap.apply(record.embedding))
        [(row, _)] = index.nearest(record.embedding, "ctx", 0, 1)
        assert index.text(row) == record.text
    again, kept = decode(encode(records, watermark, DIM))
    assert kept == watermark and all(
        (a.key, a.context, a.text, a.expires_at, a.journal_sk)
        == (b.key, b.context, b.text, b.expires_at, b.journal_sk)
        and (a.embedding is None) == (b.embedding is None)
        and (a.embedding is None or np.array_equal(a.embedding, b.embedding))
        for a, b in zip(again, records, strict=True))


def test_a_tenant_index_is_built_once_per_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request reads its tenant's index; a new ``TenantIndex`` is built for a new tenant
    only, not on every call (as ``setdefault``'s default argument was)."""
    from llm_router.cache import service
    from llm_router.cache.service import ResponseCache

    from .test_answers import Store

    built: list[int] = []
    real = service.TenantIndex

    def counted(*args: object, **kwargs: object) -> object:
        built.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "TenantIndex", counted)
    cache = ResponseCache(CacheConfig(retrieval_map=None), Store(), dim=DIM)  # type: ignore[arg-type]
    first = cache._tenant("t")
    assert cache._tenant("t") is first and cache._tenant("t") is first
    assert len(built) == 1
    cache._tenant("u")
    assert len(built) == 2


def test_the_inverse_is_made_at_the_first_unmap_not_at_load() -> None:
    """Loading a map (init, on every cold start) does not invert its weight; the first
    ``unmap`` does, once, and gives what inverting at load gave."""
    from llm_router.cache.retrieval_map import LAYER_DIR

    rmap = RetrievalMap.load(LAYER_DIR / "full-mnr.npz", check_condition=False)
    assert rmap._inverse is None
    raw = np.random.default_rng(29).standard_normal((3, rmap.dim)).astype(np.float32)
    raw /= np.linalg.norm(raw, axis=1, keepdims=True)
    back = rmap.unmap(rmap.apply(raw))
    made = rmap._inverse
    assert made is not None
    assert np.abs(back - raw).max() < 1e-5
    rmap.unmap(rmap.apply(raw))
    assert rmap._inverse is made

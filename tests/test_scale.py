"""Sharded encoding: equal to ``encode``, resumable, refusing foreign folders; Ray on a local two-actor pool."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

import workbench as wb
from workbench.cli import main
from workbench.packages import MissingExtra
from workbench.scale import engine as scale_engine
from workbench.scale import shards

SAME = 1e-6  # max abs diff between sharded vectors and one encode of the whole corpus


@pytest.fixture(scope="module")
def texts():
    """Real review snippets of varied length."""
    return list(wb.datasets.load("rotten-tomatoes").texts[:120])


@pytest.fixture(scope="module")
def reference(minilm, texts):
    return minilm.encode(texts, cache=False)


def write_jsonl(path, texts, ids=None):
    with open(path, "w") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"text": t, **({"id": ids[i]} if ids else {})}) + "\n")
            if i == 3:
                f.write("\n")  # a blank line is not a row
    return path


def test_local_engine_equals_encode_and_resumes_after_an_interrupted_shard(minilm, texts, reference, tmp_path,
                                                                          monkeypatch):
    corpus = write_jsonl(tmp_path / "corpus.jsonl", texts, ids=[f"doc{i}" for i in range(len(texts))])
    out = tmp_path / "out"
    real = shards.write_shard

    def dies_at_shard_2(folder, shard, *a):
        if shard.index == 2:
            (folder / f".{shard.name}.tmp-1-dead").write_bytes(b"half a shard")  # what a kill leaves
            raise KeyboardInterrupt
        return real(folder, shard, *a)

    monkeypatch.setattr(shards, "write_shard", dies_at_shard_2)
    with pytest.raises(KeyboardInterrupt):
        wb.scale.encode_dataset(corpus, out, model=minilm, engine="local", shard_size=25)
    assert sorted(p.name for p in out.glob("part-*")) == ["part-00000.parquet", "part-00001.parquet"]
    with pytest.raises(ValueError, match="3 of 5 shards are not written yet"):
        wb.scale.read_vectors(out)
    monkeypatch.setattr(shards, "write_shard", real)
    run = wb.scale.encode_dataset(corpus, out, model=minilm, engine="local", shard_size=25)
    assert (run["shards"], run["skipped"], run["written"], run["rows"]) == (5, 2, 3, len(texts))
    ids, X = wb.scale.read_vectors(out)
    assert ids.tolist() == [f"doc{i}" for i in range(len(texts))]
    assert X.shape == reference.shape and np.abs(X - reference).max() < SAME
    assert wb.scale.encode_dataset(corpus, out, model=minilm, engine="local", shard_size=25)["written"] == 0


def test_a_folder_of_another_run_is_refused(minilm, tmp_path):
    out = tmp_path / "out"
    wb.scale.encode_dataset(["a dog", "a cat"], out, model=minilm, engine="local")
    with pytest.raises(ValueError, match=r"different run \(options: folder has .*\"mean\".*\"cls\""):
        wb.scale.encode_dataset(["a dog", "a cat"], out, model=minilm, engine="local", pooling="cls")
    with pytest.raises(ValueError, match=r"different run \(shard_size"):
        wb.scale.encode_dataset(["a dog", "a cat"], out, model=minilm, engine="local", shard_size=1)
    run = wb.scale.encode_dataset(["a dog", "a cat"], out, model=minilm, engine="local", shard_size=1, overwrite=True)
    assert run["written"] == 2 and len(list(out.glob("part-*"))) == 2
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="mine.txt"):
        wb.scale.encode_dataset(["a dog"], tmp_path / "notes", model=minilm, engine="local")


def test_parquet_folder_rows_across_row_groups(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "shards"
    folder.mkdir()
    for k in range(2):
        rows = [f"text {k}-{i}" for i in range(25)]
        pq.write_table(pa.table({"text": rows, "id": [100 * k + i for i in range(25)]}), folder / f"s{k}.parquet",
                       row_group_size=7)
    srcs = wb.scale.sources(folder)
    assert [s.rows for s in srcs] == [25, 25]
    plan = wb.scale.plan(srcs, 10)
    assert [(s.source, s.start, s.stop, s.offset) for s in plan] == [
        (0, 0, 10, 0), (0, 10, 20, 0), (0, 20, 25, 0), (1, 0, 10, 25), (1, 10, 20, 25), (1, 20, 25, 25)]
    got = [wb.scale.read_rows(srcs[s.source], s.start, s.stop) for s in plan]
    assert [i for ids, _ in got for i in ids] == list(range(25)) + list(range(100, 125))
    assert [t for _, ts in got for t in ts] == [f"text {k}-{i}" for k in range(2) for i in range(25)]


def test_bad_corpus_input(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": \n')
    with pytest.raises(ValueError, match=r"bad.jsonl line 2: not valid JSON"):
        wb.scale.read_rows(wb.scale.sources(bad)[0], 0, 2)
    bad.write_text('{"text": "fine"}\n{"body": "no text"}\n')
    with pytest.raises(ValueError, match=r"line 2: expected a non-empty 'text' field, got None; the fields are"):
        wb.scale.read_rows(wb.scale.sources(bad)[0], 0, 2)
    bad.write_text('{"text": "a", "id": 7}\n{"text": "b"}\n')
    with pytest.raises(ValueError, match="line 2: no 'id' field, while other rows have one"):
        wb.scale.read_rows(wb.scale.sources(bad)[0], 0, 2)
    (tmp_path / "x.csv").write_text("text\na\n")
    with pytest.raises(ValueError, match="expected a .jsonl or .parquet file"):
        wb.scale.sources(tmp_path / "x.csv")
    beir = tmp_path / "beir"
    beir.mkdir()
    for name in ("corpus.jsonl", "queries.jsonl"):
        (beir / name).write_text('{"_id": "1", "text": "t"}\n')
    with pytest.raises(ValueError, match="retrieval folder"):
        wb.scale.sources(beir)
    with pytest.raises(ValueError, match="unknown engine 'spark'"):
        wb.scale.encode_dataset(["a"], tmp_path / "o", engine="spark")


def test_cli_embed_engine_local_and_ray_missing(minilm, tmp_path, capsys, monkeypatch):
    corpus = write_jsonl(tmp_path / "c.jsonl", ["a dog runs", "a cat sleeps", "rain"])
    assert main(["embed", "--data", str(corpus), "--out", str(tmp_path / "o"), "--engine", "local",
                 "--shard-size", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["rows"], result["dim"], result["shards"], result["written"]) == (3, 384, 2, 2)
    ids, X = wb.scale.read_vectors(tmp_path / "o")
    assert ids.tolist() == [0, 1, 2]
    assert np.abs(X - minilm.encode(["a dog runs", "a cat sleeps", "rain"], cache=False)).max() < SAME
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingExtra, match=r'pip install "workbench\[scale\]"'):
        wb.scale.encode_dataset(["a"], tmp_path / "r", engine="ray")
    assert main(["embed", "--data", str(corpus), "--out", str(tmp_path / "r"), "--engine", "ray"]) == 2
    assert 'pip install "workbench[scale]"' in capsys.readouterr().err


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    for attempt in range(2):
        try:
            wb.scale.start_ray(num_cpus=2)
            break
        except Exception as exc:  # noqa: BLE001  (Ray's own startup, not the code under test)
            ray.shutdown()
            if attempt:
                pytest.skip(f"Ray could not start on this machine ({' '.join(str(exc).split())[:200]}); under heavy "
                            "CPU load its agents can miss Ray's fixed start-up waits")
    yield ray
    ray.shutdown()


def test_ray_two_actors_finish_a_resumed_run_equal_to_encode(ray_local, minilm, texts, reference, tmp_path,
                                                             monkeypatch):
    corpus = write_jsonl(tmp_path / "corpus.jsonl", texts)
    out = tmp_path / "out"
    real = shards.write_shard

    def dies_at_shard_1(folder, shard, *a):
        if shard.index == 1:
            raise KeyboardInterrupt
        return real(folder, shard, *a)

    monkeypatch.setattr(shards, "write_shard", dies_at_shard_1)
    with pytest.raises(KeyboardInterrupt):  # a local run killed after its first shard
        wb.scale.encode_dataset(corpus, out, model="minilm", engine="local", shard_size=20)
    monkeypatch.setattr(shards, "write_shard", real)
    seen = []
    monkeypatch.setattr(scale_engine.progress, "bar", _recording_bar(seen))
    run = wb.scale.encode_dataset(corpus, out, model="minilm", engine="ray", actors=2, shard_size=20)
    assert (run["shards"], run["skipped"], run["written"]) == (6, 1, 5)
    assert sum(seen) == len(texts) - 20  # the progress counted only the shards the actors wrote
    ids, X = wb.scale.read_vectors(out)
    assert ids.tolist() == list(range(len(texts)))
    assert np.abs(X - reference).max() < SAME


def _recording_bar(seen):
    """A stand-in for ``progress.bar`` that records the updates of the shard bar only (encode's own bars share
    the module, so the width probe's one-text encode must not count)."""
    class Bar:
        def __init__(self, total, desc, *a):
            self.shards = desc.startswith("encoding shards")

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def update(self, n):
            if self.shards:
                seen.append(n)

    return Bar

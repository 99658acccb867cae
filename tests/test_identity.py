"""Model identity: every file that changes the vectors changes the identity, so the cache never serves stale vectors."""

import json
import os
from types import SimpleNamespace

import numpy as np
import pytest
from safetensors.torch import load_file, save_file

import workbench as wb
from workbench import identity

TEXTS = ["Hello World", "A Cat Sat On The Mat " * 6]  # mixed case; the second is longer than 8 tokens


def _json_edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _swap_vocab_ids(data):
    vocab = data["model"]["vocab"]
    vocab["hello"], vocab["world"] = vocab["world"], vocab["hello"]


def _scale_weights(folder):
    path = folder / "model.safetensors"
    state = load_file(path)
    state["embeddings.word_embeddings.weight"] = state["embeddings.word_embeddings.weight"] * 2
    save_file(state, path, metadata={"format": "pt"})


# edits that change the vectors: the cached encode must then equal a fresh one
VECTOR_EDITS = {
    "config_layers": lambda d: _json_edit(d / "config.json", lambda c: c.update(num_hidden_layers=1)),
    "config_activation": lambda d: _json_edit(d / "config.json", lambda c: c.update(hidden_act="relu")),
    "tokenizer_config_lower_case": lambda d: _json_edit(d / "tokenizer_config.json",
                                                        lambda c: c.update(do_lower_case=False)),
    "tokenizer_json_vocab": lambda d: _json_edit(d / "tokenizer.json", _swap_vocab_ids),
    "pooling_config": lambda d: _json_edit(d / "1_Pooling" / "config.json",
                                           lambda c: c.update(pooling_mode_mean_tokens=False,
                                                              pooling_mode_cls_token=True)),
    "sentence_bert_config_length": lambda d: _json_edit(d / "sentence_bert_config.json",
                                                        lambda c: c.update(max_seq_length=8)),
    "weights": _scale_weights,
}
# edits of files the sentence-transformers layout reads: they enter the identity too
CONFIG_EDITS = {
    "modules_json": lambda d: _json_edit(d / "modules.json", lambda m: m.pop()),
    "config_sentence_transformers": lambda d: _json_edit(d / "config_sentence_transformers.json",
                                                         lambda c: c.update(similarity_fn_name="dot")),
    "dense_config": lambda d: ((d / "2_Dense").mkdir(), (d / "2_Dense" / "config.json").write_text(
        json.dumps({"in_features": 32, "out_features": 16, "bias": True}))),
    "special_tokens_map": lambda d: _json_edit(d / "special_tokens_map.json", lambda c: c.update(unk_token="[PAD]")),
    "vocab_txt": lambda d: (d / "vocab.txt").write_text((d / "vocab.txt").read_text() + "zzzznewword\n"),
}


@pytest.mark.parametrize("edit", list(VECTOR_EDITS))
def test_editing_a_model_file_gives_new_identity_and_fresh_vectors(tiny_model, edit):
    before = wb.load_encoder(tiny_model)
    old = before.encode(TEXTS)  # cached under the old identity
    VECTOR_EDITS[edit](tiny_model)
    after = wb.load_encoder(tiny_model)
    assert after.identity != before.identity
    cached = after.encode(TEXTS)
    fresh = after.encode(TEXTS, cache=False)
    np.testing.assert_array_equal(cached, fresh)
    assert np.abs(fresh - old).max() > 1e-3  # the edit does change the vectors


@pytest.mark.parametrize("edit", list(CONFIG_EDITS))
def test_editing_a_sentence_transformers_config_gives_new_identity(tiny_model, edit):
    before = identity.folder_identity(tiny_model)
    CONFIG_EDITS[edit](tiny_model)
    assert identity.folder_identity(tiny_model) != before


def test_readme_and_hidden_files_leave_identity_and_cache_alone(tiny_model, private_cache):
    enc = wb.load_encoder(tiny_model)
    enc.encode(TEXTS)
    (tiny_model / "README.md").write_text("# edited\n")
    (tiny_model / ".gitattributes").write_text("*.bin binary\n")
    again = wb.load_encoder(tiny_model)
    assert again.identity == enc.identity
    calls = []
    real = again._compute
    again._compute = lambda *a: (calls.append(1), real(*a))[1]
    again.encode(TEXTS)
    assert calls == []  # served from the cache


def test_identity_hashes_names_as_well_as_contents(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "config.json").write_text("{}")
    (a / "tokenizer_config.json").write_text('{"x": 1}')
    (b / "config.json").write_text('{"x": 1}')
    (b / "tokenizer_config.json").write_text("{}")
    assert identity.folder_identity(a) != identity.folder_identity(b)


def test_identity_memo_falls_back_to_memory_when_the_cache_cannot_be_written(tiny_model, monkeypatch, private_cache):
    def read_only(*args, **kwargs):
        raise OSError(30, os.strerror(30))  # EROFS

    monkeypatch.setattr(identity, "atomic_write_bytes", read_only)
    monkeypatch.setattr(identity, "_MEMO", {})
    first = identity.folder_identity(tiny_model)
    assert not list(private_cache.rglob("*.txt"))  # nothing written
    assert identity.folder_identity(tiny_model) == first
    monkeypatch.undo()
    assert identity.folder_identity(tiny_model) == first  # the same digest once the disk memo works


def test_damaged_identity_memo_is_recomputed(tiny_model, private_cache, monkeypatch):
    first = identity.folder_identity(tiny_model)
    (memo,) = list((private_cache / "weights-hash").rglob("*.txt"))
    memo.write_text("not a digest")
    monkeypatch.setattr(identity, "_MEMO", {})
    assert identity.folder_identity(tiny_model) == first


def test_modules_json_names_the_module_folders(tmp_path):
    (tmp_path / "pool").mkdir()
    (tmp_path / "pool" / "config.json").write_text("{}")
    (tmp_path / "modules.json").write_text(json.dumps([{"path": ""}, {"path": "pool"}]))
    names = [p.relative_to(tmp_path).as_posix() for p in identity.model_files(tmp_path)]
    assert names == ["modules.json", "pool/config.json"]


def test_static_vectors_identity_covers_the_vocabulary(tmp_path):
    pd = pytest.importorskip("pandas")
    np.save(tmp_path / "vectors.npy", np.eye(2, dtype=np.float32))
    pd.DataFrame({"index": ["cat", "dog"]}).to_parquet(tmp_path / "vocab.parquet")
    from workbench.static import StaticEncoder

    first = StaticEncoder.from_folder(tmp_path, name="toy")
    pd.DataFrame({"index": ["dog", "cat"]}).to_parquet(tmp_path / "vocab.parquet")
    second = StaticEncoder.from_folder(tmp_path, name="toy")
    assert first.identity != second.identity
    assert second.encode(["cat"], normalize=False).tolist() == [[0.0, 1.0]]



def test_hub_model_identity_is_its_commit_or_its_snapshot_never_a_branch_name(tiny_model, monkeypatch):
    import transformers.utils

    from workbench.models import _hub_identity

    commit = "0123456789abcdef0123456789abcdef01234567"
    assert _hub_identity("org/m", SimpleNamespace(_commit_hash=commit), {}) == f"org/m@{commit}"
    monkeypatch.setattr(transformers.utils, "cached_file", lambda *a, **k: str(tiny_model / "config.json"))
    by_files = _hub_identity("org/m", SimpleNamespace(_commit_hash="main"), {"revision": "main"})
    assert by_files == f"org/m@{identity.folder_identity(tiny_model)}"

    def offline(*args, **kwargs):
        raise OSError("not in the local cache")

    monkeypatch.setattr(transformers.utils, "cached_file", offline)
    with pytest.warns(RuntimeWarning, match="cached for this session only"):
        a = _hub_identity("org/m", SimpleNamespace(_commit_hash=None), {})
    with pytest.warns(RuntimeWarning):
        assert _hub_identity("org/m", SimpleNamespace(_commit_hash=None), {}) != a

"""The content-addressed cache: hit, miss, corruption, atomicity."""

import numpy as np
import pytest

from workbench import cache


def test_roundtrip_and_miss(tmp_path):
    x = np.random.default_rng(0).normal(size=(5, 7)).astype(np.float32)
    assert cache.get("k1", root=tmp_path) is None
    cache.put("k1", x, root=tmp_path)
    np.testing.assert_array_equal(cache.get("k1", root=tmp_path), x)


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_damaged_entry_is_reported_removed_and_missed(tmp_path, damage):
    path = cache.put("k2", np.arange(100, dtype=np.float32), root=tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[-3] ^= 0xFF
    else:
        data = bytearray(b"not a cache file")
    path.write_bytes(bytes(data))
    with pytest.warns(RuntimeWarning, match="damaged"):
        assert cache.get("k2", root=tmp_path) is None
    assert not path.exists()


def test_keys_are_order_free_for_options_and_order_sensitive_for_texts():
    assert cache.make_key(a=1, b="x") == cache.make_key(b="x", a=1)
    assert cache.make_key(a=1) != cache.make_key(a=2)
    assert cache.hash_texts(["a", "b"]) != cache.hash_texts(["b", "a"])
    assert cache.hash_texts(["ab", ""]) != cache.hash_texts(["a", "b"])


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        cache.put("k3", np.ones(3), root=tmp_path)
    assert list(tmp_path.rglob("*")) == [p for p in tmp_path.rglob("*") if p.is_dir()]


def test_clear(tmp_path):
    cache.put("aa", np.ones(2), root=tmp_path)
    cache.put("bb", np.ones(2), root=tmp_path, namespace="other")
    assert cache.clear("vectors", root=tmp_path) == 1
    assert cache.get("bb", root=tmp_path, namespace="other") is not None

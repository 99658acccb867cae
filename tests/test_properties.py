"""Property-based tests: a correct result or a documented error, never a crash, a wrong shape or a wrong array.

Examples are derandomized (the ``workbench`` hypothesis profile in ``conftest.py``), so
every run checks the same cases.
"""

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import workbench as wb
from workbench import cache
from workbench.datasets import PairDataset
from workbench.evaluate import stats
from workbench.evaluate.sts import evaluate_sts
from workbench.options import ATTENTION, FIELDS, PRECISIONS, EncodeOptions
from workbench.pooling import POOLING_MODES
from workbench.prompts import PROMPTS

ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                     st.text(max_size=12), st.lists(st.integers(), max_size=2), st.just(np.int64(3)),
                     st.just(np.bool_(True)))
FIELD_VALUES = {
    "pooling": st.one_of(ANYTHING, st.sampled_from(POOLING_MODES), st.sampled_from(["cls+mean", " Mean ", "mean+"])),
    "layer": st.one_of(ANYTHING, st.integers(-20, 20)),
    "normalize": ANYTHING,
    "prompt": st.one_of(ANYTHING, st.sampled_from(list(PROMPTS)), st.sampled_from(["query: ", "Q {text}", "{x}"])),
    "precision": st.one_of(ANYTHING, st.sampled_from(PRECISIONS + ("FP32", "fp16"))),
    "max_length": st.one_of(ANYTHING, st.integers(-5, 600)),
    "attention": st.one_of(ANYTHING, st.sampled_from(ATTENTION + ("Causal",))),
    "add_eos": ANYTHING,
    "prompt_name": st.one_of(ANYTHING, st.sampled_from(["query", "document"])),
}


@given(st.fixed_dictionaries({}, optional=FIELD_VALUES))
def test_encode_options_from_random_values_are_valid_or_a_type_or_value_error(fields):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # respellings are reported; not the point here
        try:
            opts = EncodeOptions(**fields)
        except (TypeError, ValueError):
            return
        assert opts.pooling is None or opts.head is not None or all(p in POOLING_MODES
                                                                    for p in opts.pooling.split("+"))
        assert type(opts.layer) is int and type(opts.normalize) is bool and type(opts.add_eos) is bool
        assert opts.precision in PRECISIONS and opts.attention in (None, *ATTENTION)
        assert opts.max_length is None or (type(opts.max_length) is int and opts.max_length >= 1)
        assert EncodeOptions.from_any(opts.as_dict()) == opts  # a valid object rebuilds to itself
        parts = opts.replace(pooling=opts.pooling or "mean", max_length=opts.max_length or 8,
                             attention=opts.attention or "bidirectional", prompt_name=None).key_parts()
        # a resolved prompt_name is its prompt's text; the default backend stays out of the key
        assert set(parts) == set(FIELDS) - {"prompt_name", "backend"}


@given(st.dictionaries(st.text(max_size=8), ANYTHING, max_size=3))
def test_encode_options_from_a_dict_with_random_names_is_valid_or_a_type_or_value_error(fields):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            opts = EncodeOptions.from_any(fields)
        except (TypeError, ValueError):
            return
    assert set(fields) <= set(FIELDS) and isinstance(opts, EncodeOptions)


ARRAYS = hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
                    elements=st.floats(-1e6, 1e6, width=32))
DAMAGE = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4)


@given(ARRAYS, DAMAGE, st.sampled_from(["bytes", "truncate", "append"]))
def test_random_damage_to_a_cache_entry_is_a_warning_and_a_miss_never_a_wrong_array(array, damage, how):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = cache.put("entry", array, root=root)
        data = bytearray(path.read_bytes())
        if how == "bytes":
            for where, value in damage:
                data[int(where * len(data))] = value
        elif how == "truncate":
            data = data[:int(damage[0][0] * len(data))]
        else:
            data += bytes(v for _, v in damage)
        path.write_bytes(bytes(data))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = cache.get("entry", root=root, shape=array.shape, dtype=np.float32)
        if got is None:
            assert len(caught) == 1 and "recomputing" in str(caught[0].message)
            assert not path.exists()
        else:  # the damage rewrote bytes with their own values
            assert bytes(data) == path.read_bytes() and not caught
            np.testing.assert_array_equal(got, array)


@given(ARRAYS, ARRAYS)
def test_a_cache_hit_is_exactly_what_was_asked_or_a_miss(stored, asked):
    with tempfile.TemporaryDirectory() as tmp:
        cache.put("k", stored, root=Path(tmp))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = cache.get("k", root=Path(tmp), shape=asked.shape, dtype=np.float32)
        assert (got is None) == (stored.shape != asked.shape) == bool(caught)
        if got is not None:
            np.testing.assert_array_equal(got, stored)


def _degenerate_matrix(draw_rows, draw_cols, kind, values):
    if kind == "constant":
        return np.full((draw_rows, draw_cols), values[0], np.float32)
    if kind == "zeros":
        return np.zeros((draw_rows, draw_cols), np.float32)
    if kind == "duplicates":
        return np.tile(np.asarray(values[:draw_cols] + [0.0] * (draw_cols - len(values[:draw_cols])), np.float32),
                       (draw_rows, 1))
    rng = np.random.default_rng(int(abs(values[0]) * 1000) % 2**32)
    return rng.normal(size=(draw_rows, draw_cols)).astype(np.float32)


MATRICES = st.builds(_degenerate_matrix, st.integers(1, 40), st.integers(1, 6),
                     st.sampled_from(["random", "constant", "zeros", "duplicates"]),
                     st.lists(st.floats(-100, 100), min_size=1, max_size=6))


@given(MATRICES)
def test_geometry_report_on_random_and_degenerate_arrays_is_numbers_or_a_value_error(X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = wb.geometry.report(X, knn_sample=200)
        except ValueError:
            return
    assert r["n"] == X.shape[0] and r["dim"] == X.shape[1]
    assert all(isinstance(v, (int, float, np.floating, np.integer)) for v in r.values())
    assert not any(np.isinf(float(v)) for v in r.values())


@given(st.integers(3, 30), st.sampled_from(["random", "constant_sims", "constant_gold", "ties"]),
       st.integers(0, 10**6))
def test_sts_on_random_and_degenerate_scores_is_a_correlation_nan_or_a_value_error(n, kind, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, 4)).astype(np.float32)
    b = a.copy() if kind == "constant_sims" else rng.normal(size=(n, 4)).astype(np.float32)
    gold = {"constant_gold": np.ones(n), "ties": rng.integers(0, 2, n).astype(float)}.get(kind, rng.random(n))
    pairs = PairDataset("p", [f"a{i}" for i in range(n)], [f"b{i}" for i in range(n)], gold)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = evaluate_sts((a, b), pairs, n_resamples=50)
        except ValueError as exc:
            assert "differing gold scores" in str(exc)
            return
    lo, hi = res["spearman_ci"]
    if np.isnan(res["spearman"]):
        assert caught and np.isnan(lo) and np.isnan(hi)
    else:
        assert -1 <= res["spearman"] <= 1 and (np.isnan(lo) or -1 <= lo <= hi <= 1)


@given(hnp.arrays(np.float64, st.integers(0, 30), elements=st.floats(-1e3, 1e3)),
       st.sampled_from(["mean", "spearman", "pearson"]))
def test_bootstrap_ci_is_ordered_nan_or_a_value_error(values, statistic):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            lo, hi = stats.bootstrap_ci(values, None if statistic == "mean" else values[::-1],
                                        statistic=statistic, n_resamples=20)
        except ValueError:
            assert len(values) < 2
            return
    assert (np.isnan(lo) and np.isnan(hi) and caught) or lo <= hi


@pytest.mark.parametrize("statistic", ["spearman", "pearson"])
def test_perfect_correlation_bootstrap_is_one(statistic):
    x = np.arange(10.0)
    assert stats.bootstrap_ci(x, 2 * x + 1, statistic=statistic, n_resamples=50) == pytest.approx((1.0, 1.0))


FIELD_TEXT = st.lists(st.sampled_from(list("ab ,\t\"'#\\\x00é€1.5-\n\ufeff") + ["\r\n"]), max_size=8).map("".join)
ROWS = st.lists(st.lists(st.one_of(FIELD_TEXT, st.floats(-5, 5).map(str)), min_size=1, max_size=5),
                min_size=0, max_size=6)


def _write(tmp: Path, name: str, rows, delimiter: str, quote: bool, encoding: str, header) -> Path:
    lines = [] if header is None else [delimiter.join(header)]
    for row in rows:
        lines.append(delimiter.join(f'"{f}"' if quote else f for f in row))
    path = tmp / name
    path.write_bytes("\n".join(lines).encode(encoding, "replace"))
    return path


@given(ROWS, st.sampled_from(["\t", ",", ";"]), st.booleans(), st.sampled_from(["utf-8", "utf-16", "latin-1"]),
       st.sampled_from([None, ["sentence1", "sentence2", "score"], ["text", "label"], ["a", "text"]]),
       st.sampled_from(["pairs.tsv", "pairs.csv", "pairs.txt", "texts.csv", "texts.tsv", "texts.txt"]))
def test_loaders_on_random_layouts_give_a_dataset_or_a_value_error(rows, delimiter, quote, encoding, header, name):
    from workbench.datasets import load_pairs, load_texts

    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), name, rows, delimiter, quote, encoding, header)
        load = load_pairs if name.startswith("pairs") else load_texts
        try:
            ds = load(path)
        except ValueError as exc:
            assert str(path) in str(exc) or path.name in str(exc), exc  # the message names the file
            return
    if load is load_pairs:
        assert len(ds.text1) == len(ds.text2) == len(ds.scores) >= 1 and np.isfinite(ds.scores).all()
    else:
        assert len(ds.texts) >= 1 and all(isinstance(t, str) and t for t in ds.texts)

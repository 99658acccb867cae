"""The package's warnings: one line per kind per operation, printed without source lines."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

from workbench import geometry, notices
from workbench.geometry import GeometryWarning
from workbench.notices import TruncationWarning, WorkbenchWarning


def _recorded(fn):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = fn()
    return out, seen


def test_an_encode_of_many_long_texts_warns_once_with_the_count(minilm):
    texts = [f"review {i}: " + "the fabric is thin and see-through, " * 12 for i in range(20)]
    texts += ["short"] * 5
    X, seen = _recorded(lambda: minilm.encode(texts, max_length=16, batch_size=4, cache=False))
    assert X.shape == (25, 384)
    cut = [w for w in seen if issubclass(w.category, TruncationWarning)]
    assert len(cut) == 1 and len(seen) == 1
    assert str(cut[0].message).startswith("20 of 25 texts were truncated to 16 tokens")


def test_a_layer_sweep_gathers_its_encodes_and_reports_into_one_line_per_kind(minilm):
    texts = [f"post {i}: " + "orbit launch telescope " * 10 for i in range(12)]
    _, seen = _recorded(lambda: geometry.layerwise(minilm, texts, metrics="isoscore", pooling=["mean", "max"],
                                                   max_length=16, cache=False))
    kinds = [w.category for w in seen]
    assert sorted(k.__name__ for k in kinds) == ["GeometryWarning", "TruncationWarning"]
    # two poolings, one encode each: the counts add up
    assert str(next(w for w in seen if w.category is TruncationWarning).message).startswith(
        "24 of 24 texts were truncated to 16 tokens")
    geo = str(next(w for w in seen if w.category is GeometryWarning).message)
    assert geo.startswith("geometry report on 12 x 384 vectors (14 reports): ")  # 7 layers x 2 poolings
    assert geo.count("rank < d") == 1


def test_a_geometry_report_emits_one_warning_naming_the_affected_metrics():
    X = np.random.default_rng(0).normal(size=(30, 64))
    _, seen = _recorded(lambda: geometry.report(X))
    assert len(seen) == 1 and seen[0].category is GeometryWarning
    text = str(seen[0].message)
    assert text.startswith("geometry report on 30 x 64 vectors: ")
    assert "isoscore: n = 30 rows <= d = 64" in text and "rogue_dimensions: average cosine" in text


def test_the_line_is_kind_and_message_without_file_or_source(monkeypatch):
    passed_on = []
    monkeypatch.setattr(warnings, "showwarning", lambda *args, **kw: passed_on.append(args[1]))
    notices.install()  # wraps whatever shows warnings now; pytest restores it afterwards
    X = np.random.default_rng(0).normal(size=(30, 64))
    _, seen = _recorded(lambda: geometry.report(X))
    buf = io.StringIO()
    for w in seen:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno, file=buf)
    printed = buf.getvalue()
    assert printed.count("\n") == 1 and printed.startswith("GeometryWarning: geometry report on 30 x 64")
    assert ".py" not in printed and "value = fn(" not in printed
    warnings.showwarning(UserWarning("plain"), UserWarning, "/x/mod.py", 7)  # other warnings: shown as before
    assert passed_on == [UserWarning]


def test_gathering_keeps_other_warnings_and_honours_filters():
    def op():
        with notices.gathered():
            for _ in range(3):
                warnings.warn("x", WorkbenchWarning)
            warnings.warn("an outside warning", RuntimeWarning)

    _, seen = _recorded(op)
    assert [(w.category, str(w.message)) for w in seen] == [(RuntimeWarning, "an outside warning"),
                                                             (WorkbenchWarning, "x")]
    with warnings.catch_warnings():
        warnings.simplefilter("error", WorkbenchWarning)
        with pytest.raises(WorkbenchWarning, match="^x$"):
            op()

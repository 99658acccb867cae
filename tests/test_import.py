"""Importing the package changes no process-wide state; figures are optional (the viz extra)."""

import subprocess
import sys
import textwrap

import pytest


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)


def test_import_leaves_environment_alone():
    done = _python("""
        import os
        before = dict(os.environ)
        import workbench, workbench.models, workbench.encoder, workbench.cache, workbench.pooling
        assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())
        print("ok")
    """)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_importing_every_module_sets_no_variable_filter_or_thread_count():
    # the third-party libraries come first: scikit-learn, for one, sets KMP_* variables when imported
    done = _python("""
        import importlib, logging, os, pkgutil, warnings
        import numpy, pandas, scipy.special, scipy.stats, sklearn, faiss, torch, transformers
        before = dict(os.environ)
        filters, threads = list(warnings.filters), torch.get_num_threads()
        handlers = {name: list(getattr(log, "handlers", [])) for name, log in logging.root.manager.loggerDict.items()}
        import workbench
        names = [m.name for m in pkgutil.walk_packages(workbench.__path__, "workbench.")
                 if not m.name.endswith("__main__")]
        for name in names:
            importlib.import_module(name)
        assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())
        assert warnings.filters == filters, [f for f in warnings.filters if f not in filters]
        assert torch.get_num_threads() == threads
        assert not logging.root.handlers
        for name, log in logging.root.manager.loggerDict.items():
            if name.startswith("workbench"):
                assert not getattr(log, "handlers", []), name
        print(len(names))
    """)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 50


def test_loading_minilm_works_offline_without_hub_variables(tmp_path):
    done = _python(f"""
        import os
        for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "WB_ALLOW_DOWNLOAD"):
            os.environ.pop(key, None)
        os.environ["WB_CACHE_DIR"] = {str(tmp_path)!r}
        import workbench as wb
        X = wb.load_encoder("minilm").encode(["an offline test"], cache=False)
        assert X.shape == (1, 384)
        assert "HF_HUB_OFFLINE" not in os.environ
        print("ok")
    """)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr


def test_download_switch_reads_argument_then_environment(monkeypatch):
    from workbench.models import download_allowed

    monkeypatch.delenv("WB_ALLOW_DOWNLOAD", raising=False)
    assert download_allowed() is False
    for value, expected in [("1", True), ("yes", True), ("0", False), ("", False)]:
        monkeypatch.setenv("WB_ALLOW_DOWNLOAD", value)
        assert download_allowed() is expected
    assert download_allowed(False) is False


@pytest.mark.parametrize("block", ["plotly", "plotly.graph_objects"])
def test_tables_work_without_plotly_and_figures_name_the_extra(tmp_path, block):
    done = _python(f"""
        import os, sys
        sys.modules[{block!r}] = None  # as if the viz extra were not installed
        os.environ["WB_CACHE_DIR"] = {str(tmp_path)!r}
        import numpy as np, pandas as pd
        import workbench as wb
        from workbench import evaluate, experiments
        from workbench.datasets import TextDataset
        from workbench.evaluate import Task, run_suite, suite_figure
        from workbench.packages import MissingExtra

        rng = np.random.default_rng(0)
        y = np.repeat([0, 1, 2], 20)
        ds = TextDataset("blobs", [f"t{{i}}" for i in range(60)], labels=y)
        X = rng.normal(size=(60, 4)) + 6 * np.eye(4)[y]

        class Fixed:
            name = identity = "fixed"

            def encode(self, texts, **kw):
                return X[[int(t[1:]) for t in texts]].astype(np.float32)

        table = run_suite([{{"model": Fixed(), "label": "fixed"}}], [Task("classification", ds)], n_resamples=50)
        assert isinstance(table, pd.DataFrame) and table.query("main")["score"].iloc[0] == 1.0
        pareto_table = pd.DataFrame({{"method": ["float32"], "bytes/vector": [16.0], "ndcg@10": [0.5],
                                      "pareto": [True]}})
        sweep_table = pd.DataFrame(dict(model="m", task="sts", data="d", prompt="none", attention="causal",
                                        pooling=["mean", "cls"], layer=0, dim=8, metric="spearman", score=[0.5, 0.2],
                                        ci_low=0.0, ci_high=1.0, delta=[0, -0.3], p_value=[float("nan"), 0.01],
                                        baseline=[True, False]))
        calls = [lambda: suite_figure(table), lambda: experiments.pareto_figure(pareto_table),
                 lambda: experiments.heatmap(sweep_table, x="layer", y="pooling")]
        for call in calls:
            try:
                call()
            except MissingExtra as exc:
                assert isinstance(exc, ImportError)
                assert 'pip install "workbench[viz]"' in str(exc), exc
            else:
                raise AssertionError("a figure was built without plotly")
        print("ok")
    """)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr

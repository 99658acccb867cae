"""The workbench command, run in-process and as a real console script."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import workbench as wb
from workbench import cli
from workbench.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_datasets_lists_every_packaged_set_with_sizes(capsys):
    code, out, _ = run(capsys, "datasets", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0 and set(rows) == set(wb.datasets.available())
    assert rows["wordsim353"]["size"] == 353


def test_embed_roundtrip_matches_api(capsys, tmp_path, minilm):
    out_file = tmp_path / "sub" / "ws.npy"
    code, out, _ = run(capsys, "embed", "--model", "minilm", "--data", "wordsim353", "--field", "text1",
                       "--out", str(out_file), "--json")
    assert code == 0 and json.loads(out) == {"out": str(out_file), "rows": 353, "dim": 384}
    np.testing.assert_allclose(np.load(out_file), minilm.encode(wb.datasets.load("wordsim353").text1), atol=1e-6)


def test_embed_a_user_text_file(capsys, tmp_path):
    texts = tmp_path / "mine.txt"
    texts.write_text("first line\nsecond line\n")
    code, out, _ = run(capsys, "embed", "--model", "glove-50d", "--data", str(texts),
                       "--out", str(tmp_path / "v.npy"), "--json")
    result = json.loads(out)
    assert code == 0 and result["rows"] == 2 and result["data"][0].startswith("mine: read 2 texts from")


def test_eval_sts_json_from_a_user_file(capsys, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("a cat sits\na cat is sitting\t5\na cat sits\nstocks fell today\t0\nhe runs\nhe is running\t4.5\n"
                     .replace("sits\na", "sits\ta").replace("sits\ns", "sits\ts").replace("runs\nhe", "runs\the"))
    code, out, _ = run(capsys, "eval", "sts", "--model", "minilm", "--data", str(pairs), "--json")
    result = json.loads(out)
    assert code == 0 and result["n"] == 3 and set(result) == {"spearman", "pearson", "n", "spearman_ci", "data"}
    assert result["data"][0].startswith("pairs: read 3 pairs from")
    assert result["spearman"] == pytest.approx(1.0)


@pytest.mark.parametrize("argv, message", [
    (["embed", "--data", "no-such-set", "--out", "x.npy"], "neither a packaged data set"),
    (["eval", "sts", "--model", "no-such-model", "--data", "wordsim353"], "unknown model"),
    (["eval", "retrieval-ish", "--data", "wordsim353"], "unknown task"),
    (["embed", "--data", "wordsim353", "--field", "corpus", "--out", "x.npy"], "valid: text1, text2, both"),
])
def test_user_errors_exit_2_with_one_line(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1


def test_missing_input_file_is_a_user_error(capsys, tmp_path):
    code, _, err = run(capsys, "embed", "--data", str(tmp_path / "nowhere.txt"), "--out", str(tmp_path / "x.npy"))
    assert code == 2 and err.startswith("workbench embed: error:") and err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("exc", [FileNotFoundError(2, "No such file or directory", "in.tsv"),
                                 PermissionError(13, "Permission denied", "out.npy"),
                                 IsADirectoryError(21, "Is a directory", "out"),
                                 ValueError("bad value\nsecond line")])
def test_user_error_classes_exit_2_with_one_line(capsys, monkeypatch, exc):
    def fail(args):
        raise exc

    monkeypatch.setitem(cli.COMMANDS, "models", fail)
    code, _, err = run(capsys, "models")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_missing_extra_is_a_user_error(capsys, monkeypatch):
    def fail(args):
        wb.packages.require("no_such_viz_module", "viz", "this command")

    monkeypatch.setitem(cli.COMMANDS, "models", fail)
    code, _, err = run(capsys, "models")
    assert code == 2 and 'pip install "workbench[viz]"' in err and err.count("\n") == 1


@pytest.mark.parametrize("exc", [TypeError("unsupported operand"), ImportError("cannot import name 'x'"),
                                 KeyError("k"), RuntimeError("boom")])
def test_bugs_exit_1_with_the_traceback(capsys, monkeypatch, exc):
    def fail(args):
        raise exc

    monkeypatch.setitem(cli.COMMANDS, "models", fail)
    code, _, err = run(capsys, "models")
    assert code == 1 and "Traceback (most recent call last)" in err and "in fail" in err
    assert type(exc).__name__ in err and "internal error" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["embed", "--data", "wordsim353"])  # --out is missing
    assert stop.value.code == 2 and "--out" in capsys.readouterr().err


def test_console_script_is_installed():
    exe = shutil.which("workbench", path=str(Path(sys.executable).parent))
    assert exe is not None
    done = subprocess.run([exe, "models", "--json"], capture_output=True, text=True, check=True)
    assert [m["name"] for m in json.loads(done.stdout)] == list(wb.MODELS)

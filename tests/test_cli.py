"""The workbench command, run in-process and as a real console script."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import workbench as wb
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
    assert code == 0 and json.loads(out)["rows"] == 2


def test_eval_sts_json_from_a_user_file(capsys, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("a cat sits\na cat is sitting\t5\na cat sits\nstocks fell today\t0\nhe runs\nhe is running\t4.5\n"
                     .replace("sits\na", "sits\ta").replace("sits\ns", "sits\ts").replace("runs\nhe", "runs\the"))
    code, out, _ = run(capsys, "eval", "sts", "--model", "minilm", "--data", str(pairs), "--json")
    result = json.loads(out)
    assert code == 0 and result["n"] == 3 and set(result) == {"spearman", "pearson", "n", "spearman_ci"}
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


def test_console_script_is_installed():
    exe = shutil.which("workbench", path=str(Path(sys.executable).parent))
    assert exe is not None
    done = subprocess.run([exe, "models", "--json"], capture_output=True, text=True, check=True)
    assert [m["name"] for m in json.loads(done.stdout)] == list(wb.MODELS)

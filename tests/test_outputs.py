"""Writers never destroy a user's files, write where they are told and leave nothing half-written."""

import json

import numpy as np
import pytest

import workbench as wb
from workbench import outputs
from workbench.cli import main
from workbench.datasets import load_retrieval


def _hidden(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_limits_generate_refuses_a_folder_with_user_files(tmp_path, capsys):
    out = tmp_path / "data"
    (out / "qrels").mkdir(parents=True)
    (out / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq\td\t1\n")
    (out / "corpus.jsonl").write_text('{"_id": "d", "text": "a user\'s corpus"}\n')
    code = main(["limits", "generate", "--queries", "10", "--k", "2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "is not empty" in err and "--overwrite" in err
    assert (out / "corpus.jsonl").read_text() == '{"_id": "d", "text": "a user\'s corpus"}\n'
    assert (out / "qrels" / "test.tsv").exists() and not _hidden(tmp_path)


def test_limits_generate_overwrite_replaces_the_folder_and_its_stale_qrels(tmp_path, capsys):
    out = tmp_path / "data"
    (out / "qrels").mkdir(parents=True)
    (out / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq\td\t1\n")
    code = main(["limits", "generate", "--queries", "10", "--k", "2", "--out", str(out), "--overwrite"])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["corpus.jsonl", "qrels.jsonl", "queries.jsonl"]
    assert len(load_retrieval(out).queries) == 10 and not _hidden(tmp_path)


def test_limits_generate_rewrites_its_own_output(tmp_path, capsys):
    out = tmp_path / "data"
    assert main(["limits", "generate", "--queries", "10", "--k", "2", "--out", str(out)]) == 0
    assert main(["limits", "generate", "--queries", "12", "--k", "2", "--out", str(out)]) == 0
    assert len(load_retrieval(out).queries) == 12 and not _hidden(tmp_path)


def test_embed_refuses_an_existing_file_and_overwrite_replaces_it(tmp_path, capsys):
    texts = tmp_path / "texts.txt"
    texts.write_text("a cat\na dog\n")
    out = tmp_path / "x.npy"
    out.write_bytes(b"a user's file")
    args = ["embed", "--model", "glove-50d", "--data", str(texts), "--out", str(out)]
    code = main(args)
    assert code == 2 and "exists" in capsys.readouterr().err and out.read_bytes() == b"a user's file"
    assert main(args + ["--overwrite"]) == 0
    assert np.load(out).shape == (2, 50)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["texts.txt", "wbcache", "x.npy"]


def test_embed_into_a_folder_is_a_user_error_and_leaves_no_part_file(tmp_path, capsys):
    texts = tmp_path / "texts.txt"
    texts.write_text("a cat\n")
    folder = tmp_path / "vectors"
    folder.mkdir()
    code = main(["embed", "--model", "glove-50d", "--data", str(texts), "--out", str(folder)])
    assert code == 2 and "is a folder" in capsys.readouterr().err
    assert list(folder.iterdir()) == [] and not [p for p in tmp_path.rglob("*part*")]


def test_failed_folder_write_keeps_the_old_folder_and_leaves_no_temporary(tmp_path):
    out = tmp_path / "out"
    outputs.write_folder(out, lambda d: (d / "a.txt").write_text("old"), owns=outputs.owns_only(["a.txt"]))

    def broken(folder):
        (folder / "a.txt").write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        outputs.write_folder(out, broken, owns=outputs.owns_only(["a.txt"]))
    assert (out / "a.txt").read_text() == "old" and not _hidden(tmp_path)


def test_output_folder_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file"):
        outputs.write_folder(target, lambda d: None, owns=lambda d: True)
    assert target.read_text() == "x"


def test_train_writes_the_model_in_out_itself(tiny_model_dir, tmp_path, capsys):
    out = tmp_path / "tuned"
    code = main(["train", "--model", str(tiny_model_dir), "--data", "python-docstrings", "--steps", "2",
                 "--batch-size", "4", "--max-pairs", "16", "--test-queries", "8", "--test-docs", "30",
                 "--max-length", "32", "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(captured.out)["out"] == str(out)
    names = {p.name for p in out.iterdir()}
    assert {"config.json", "model.safetensors", "modules.json", "1_Pooling"} <= names
    assert "model" not in names and "training" not in names
    assert wb.load_encoder(out).encode(["a test"], cache=False).shape == (1, 32)
    # its own output may be trained again; a folder with a user's files may not
    assert main(["train", "--model", str(tiny_model_dir), "--data", "python-docstrings", "--steps", "1",
                 "--batch-size", "4", "--max-pairs", "8", "--test-queries", "8", "--test-docs", "30",
                 "--max-length", "32", "--out", str(out)]) == 0
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("chapter 1")
    code = main(["train", "--data", "python-docstrings", "--steps", "1", "--out", str(tmp_path / "mine")])
    assert code == 2 and "thesis.tex" in capsys.readouterr().err
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "chapter 1"

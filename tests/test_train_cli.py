"""``workbench train``: user errors end with one line on stderr and exit status 2."""

from __future__ import annotations

import pytest

from workbench.cli import main


def test_train_rejects_bad_dims_and_unknown_data(tmp_path, capsys):
    code = main(["train", "--data", "python-docstrings", "--matryoshka-dims", "512,64", "--steps", "1",
                 "--out", str(tmp_path / "out")])
    assert code == 2 and "matryoshka dims must lie in 1..384" in capsys.readouterr().err
    code = main(["train", "--data", "wordsim353", "--steps", "1", "--out", str(tmp_path / "out")])
    assert code == 2 and "no training split for 'wordsim353'" in capsys.readouterr().err
    code = main(["train", "--data", "python-docstrings", "--matryoshka-dims", "64,x", "--out", str(tmp_path / "out")])
    assert code == 2 and "comma-separated ints" in capsys.readouterr().err


def test_train_keeps_the_old_matryoshka_flag_for_now(tmp_path, capsys):
    with pytest.warns(DeprecationWarning, match="use --matryoshka-dims"):
        code = main(["train", "--data", "python-docstrings", "--matryoshka", "64,x", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "--matryoshka is deprecated" in err and "comma-separated ints" in err

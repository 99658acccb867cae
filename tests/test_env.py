"""Environment switches are parsed one way everywhere, and the README lists every variable the package reads."""

import ast
import sys
from pathlib import Path

import pytest

import workbench as wb
from workbench import cache, env, progress
from workbench.models import download_allowed

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), (" YES ", True), ("On", True),
                                             ("0", False), ("false", False), ("No", False), ("OFF", False),
                                             ("", False)])
def test_download_switch_reads_on_and_off_words(monkeypatch, value, expected):
    monkeypatch.setenv("WB_ALLOW_DOWNLOAD", value)
    assert download_allowed() is expected
    assert download_allowed(not expected) is (not expected)  # the argument wins


@pytest.mark.parametrize("value", ["2", "enable", "nope", "y"])
def test_unknown_switch_value_is_an_error_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("WB_ALLOW_DOWNLOAD", value)
    with pytest.raises(ValueError, match=f"WB_ALLOW_DOWNLOAD={value!r} is not a switch value: use 1, true"):
        wb.load_encoder("org/some-model")
    monkeypatch.setenv("WB_SMOKE", value)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(ValueError, match="WB_SMOKE"):
        progress.resolve(None)


@pytest.mark.parametrize("ci, smoke, shown", [(None, None, True), ("true", None, False), ("woodpecker", None, False),
                                              ("false", None, True), ("0", None, True), (None, "1", False),
                                              (None, "off", True), (None, "0", True)])
def test_progress_bars_follow_ci_and_smoke_switches(monkeypatch, ci, smoke, shown):
    for name, value in (("CI", ci), ("WB_SMOKE", smoke)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert progress.resolve(None) is shown


def test_cache_dir_expands_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("WB_CACHE_DIR", "~/vectors")
    assert cache.cache_dir() == tmp_path / "vectors"
    monkeypatch.setenv("WB_CACHE_DIR", "")
    assert cache.cache_dir() == tmp_path / ".cache" / "workbench"


def _variables_read() -> set[str]:
    """Names the package reads: os.environ[...] / .get(...) / os.getenv(...) / env_flag(...) with a literal name."""
    names = set()
    for path in (ROOT / "workbench").rglob("*.py"):
        if path == ROOT / "workbench" / "env.py":
            continue  # the reader itself, called with the names below
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                key = node.slice
            elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.environ.get", "os.getenv",
                                                                           "env_flag", "os.environ.setdefault"):
                key = node.args[0] if node.args else None
            else:
                continue
            assert isinstance(key, ast.Constant), f"{path}: a variable read by a computed name"
            names.add(key.value)
    return names


def test_readme_lists_every_environment_variable_the_package_reads():
    read = _variables_read()
    assert read == set(env.VARIABLES), read ^ set(env.VARIABLES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    assert all(f"`{name}`" in section for name in read)


def test_smoke_banner_prints_only_in_smoke_runs(capsys, monkeypatch):
    monkeypatch.setenv("WB_SMOKE", "1")
    env.smoke_banner()
    assert capsys.readouterr().out == env.SMOKE_BANNER + "\n"
    env.smoke_banner(False)
    monkeypatch.setenv("WB_SMOKE", "0")
    env.smoke_banner()
    assert capsys.readouterr().out == ""
    with pytest.raises(TypeError, match="True, False or None"):
        env.smoke_banner("1")


def test_every_notebook_prints_the_smoke_banner_from_its_parameters_cell():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        cells = path.read_text(encoding="utf-8").split("# %%")
        params = [c for c in cells if c.startswith(' tags=["parameters"]')]
        assert len(params) == 1, f"{path.name}: one parameters cell expected"
        assert "smoke_banner(SMOKE)" in params[0], f"{path.name}: the parameters cell does not call smoke_banner(SMOKE)"

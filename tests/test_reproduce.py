"""The reproductions: one entry per seed paper, published numbers with sources, verdicts from the allowed set,
reruns that give the same numbers, and the files a run writes.

Every built entry's smoke run is exercised here once (``test_smoke_run``); entry-specific tests live beside the
capabilities they wire.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.reproduce import VERDICTS, Outcome, all_entries, read_published
from workbench.reproduce.gallery import README_END, README_START, build_gallery, verdict_table
from workbench.reproduce.published import PUBLISHED_DIR
from workbench.reproduce.runner import load_result, numbers_of, result_folder, run_entry

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds" / "embedding-papers.txt"  # present in the project's own workspace only
ENTRIES = all_entries()
BUILT = sorted(name for name, e in ENTRIES.items() if e.built)


def _norm(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def test_one_entry_per_paper_with_its_citation():
    assert len(ENTRIES) == 29
    titles = [_norm(e.paper.title) for e in ENTRIES.values()]
    assert len(set(titles)) == 29
    for entry in ENTRIES.values():
        assert entry.claim and entry.rule and entry.scale and entry.paper.authors and entry.paper.year > 2000
        assert not entry.paper.arxiv or re.fullmatch(r"\d{4}\.\d{4,5}", entry.paper.arxiv), entry.paper.arxiv


def test_every_seed_paper_has_an_entry():
    if not SEEDS.is_file():
        pytest.skip(f"the seed list {SEEDS} is not present in this checkout; the entry count is checked above")
    text = SEEDS.read_text()
    lines = [_norm(line) for line in text.splitlines()]
    for entry in ENTRIES.values():
        title = _norm(entry.paper.title)
        assert any(line and (line.startswith(title) or title.startswith(line)) and len(line) > 15 for line in lines), \
            f"{entry.name}: title {entry.paper.title!r} is not in the seed list"


def test_every_published_number_has_a_source():
    files = sorted(PUBLISHED_DIR.glob("*.csv"))
    assert files, f"no published numbers in {PUBLISHED_DIR}"
    for path in files:
        table = read_published(path)  # raises, naming file and line, on a number without its source
        assert table["source"].str.len().min() > 10
    stems = {p.stem for p in files}
    for entry in ENTRIES.values():
        if entry.published:
            assert entry.published in stems, f"{entry.name} names data/published/{entry.published}.csv; absent"


@pytest.mark.parametrize("name", BUILT)
def test_smoke_run(name):
    entry = ENTRIES[name]
    outcome = entry.run(True)
    assert isinstance(outcome, Outcome) and outcome.verdict in VERDICTS and outcome.verdict != "not yet"
    assert len(outcome.table) > 0 and outcome.reason
    compared = outcome.table.dropna(subset=["theirs"])
    assert (compared["source"].str.len() > 0).all(), "every published number in the table carries its source"
    json.dumps(outcome.details)  # kept in result.json


@pytest.fixture(scope="module")
def cheapest():
    """The built entry whose smoke run is quickest to rerun (declared minutes), for the runner tests."""
    if not BUILT:
        pytest.skip("no built entry")
    return min(BUILT, key=lambda n: ENTRIES[n].minutes)


def test_rerun_gives_identical_numbers_and_the_result_folder(cheapest, tmp_path):
    first = run_entry(cheapest, smoke=True, out=tmp_path / "a", image=False)
    second = run_entry(cheapest, smoke=True, out=tmp_path / "b", image=False)
    assert numbers_of(first) == numbers_of(second)
    assert first["seeds"] == second["seeds"]
    saved = load_result(cheapest, tmp_path / "a")
    assert numbers_of(saved) == numbers_of(first)
    assert {"libraries", "threads", "python"} <= set(saved["environment"]) and saved["seconds"] >= 0
    folder = result_folder(cheapest, tmp_path / "a", smoke=True)
    if ENTRIES[cheapest].run and (folder / "figure.json").exists():
        assert (folder / "figure.html").stat().st_size > 100_000  # plotly inline: offline
    assert saved["cpu_seconds"] >= 0 and not (tmp_path / "a" / cheapest).exists()  # a smoke run never replaces
    assert load_result(cheapest, tmp_path / "a", size="full") is None  # the full-size result's place
    page = build_gallery(tmp_path / "a").read_text()
    assert ENTRIES[cheapest].paper.title in page and first["verdict"] in page


def test_a_failed_run_keeps_the_previous_result(cheapest, tmp_path, monkeypatch):
    run_entry(cheapest, smoke=True, out=tmp_path, image=False)
    before = (result_folder(cheapest, tmp_path, smoke=True) / "result.json").read_text()
    entry = ENTRIES[cheapest]

    def broken(smoke):
        raise ArithmeticError("planted failure")

    monkeypatch.setattr("workbench.reproduce.runner.get", lambda name: type(entry)(
        **{**entry.__dict__, "run": broken}))
    with pytest.raises(RuntimeError, match="planted failure.*previous result .* is kept"):
        run_entry(cheapest, smoke=True, out=tmp_path, image=False)
    assert (result_folder(cheapest, tmp_path, smoke=True) / "result.json").read_text() == before


def test_cli_lists_entries_and_names_them_for_an_unknown_one(capsys):
    assert main(["reproduce", "--list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 29 and {r["verdict"] for r in rows} <= set(VERDICTS) | {"not run"}
    assert main(["reproduce", "no-such-paper"]) == 2
    err = capsys.readouterr().err
    assert "no-such-paper" in err and "limit" in err


def test_readme_table_lists_every_entry():
    text = (ROOT / "README.md").read_text()
    assert README_START in text and README_END in text
    section = text.split(README_START, 1)[1].split(README_END, 1)[0]
    for entry in ENTRIES.values():
        assert entry.paper.title.replace("|", "\\|") in section, f"README's verdict table lacks {entry.name}"
    assert verdict_table().splitlines()[0] in section

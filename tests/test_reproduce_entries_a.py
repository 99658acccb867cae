"""Reproduction entries for the capabilities the package has (limit, matryoshka_2d, storage_compression,
filtered_ann, bidr, word_vectors_survey, defsent_plus, qdc, peg, codiemb): their published numbers (and those of
nv_embed and llm_embedder), their metadata, the side-by-side table, and one cheap smoke run (every entry's smoke run
is exercised registry-wide)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from workbench.limits import PAPER_CRITICAL_N, PAPER_CUBIC, cubic, fit_cubic, paper_critical_n
from workbench.reproduce import OUTCOME_COLUMNS, VERDICTS, Outcome, get, read_published
from workbench.reproduce.sidebyside import side_by_side

ENTRIES = ("limit", "matryoshka_2d", "storage_compression", "filtered_ann", "bidr", "word_vectors_survey",
           "defsent_plus", "qdc", "peg", "codiemb")
PUBLISHED = ("limit", "word_vectors_survey", "bidr", "qdc", "defsent_plus", "codiemb", "nv_embed", "llm_embedder",
             "peg", "matryoshka_2d", "filtered_ann", "storage_compression")


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_metadata(name):
    entry = get(name)
    assert entry.name == name and entry.built
    assert re.fullmatch(r"\d{4}\.\d{4,5}", entry.paper.arxiv), entry.paper.arxiv
    assert 2010 <= entry.paper.year <= 2026
    assert 0 < entry.minutes <= 10  # the full run's budget on two cores
    for text in (entry.claim, entry.rule, entry.scale):
        assert len(text) > 40
    if entry.published is not None:
        assert entry.published == name


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_numbers_have_sources(name):
    pub = read_published(name)
    assert len(pub) >= 1
    for column in ("paper", "table", "row", "column", "unit"):
        assert (pub[column].str.len() > 0).all(), column
    assert all(src.startswith(paper) for src, paper in zip(pub["source"], pub["paper"]))
    assert not pub.duplicated(["quantity", "setting"]).any()  # side_by_side must match one number per row
    assert np.isfinite(pub["value"]).all()
    signs = pub[pub["unit"] == "sign"]
    assert signs["value"].isin([-1.0, 1.0]).all()  # a recorded sign claim is +1 or -1, nothing in between
    assert (signs["note"].str.len() > 0).all()  # and quotes the sentence it comes from


def test_limit_published_cubic_matches_the_package_and_its_own_extrapolations():
    pub = read_published("limit").set_index(["quantity", "setting"])["value"]
    coef = tuple(pub[("cubic_coefficient", f"c{i}")] for i in range(4))
    assert coef == pytest.approx(PAPER_CUBIC, abs=1e-12)
    # the paper's printed extrapolations (rounded: 500k, 1.7m, 4m, 107m, 250m) follow from its printed cubic
    for d in (512, 768, 1024, 3072, 4096):
        printed = pub[("extrapolated_critical_n", f"d={d}")]
        assert math.isclose(float(cubic(d, coef)), printed, rel_tol=0.03), d


def test_limit_measured_critical_n_matches_the_package_and_its_cubic():
    pub = read_published("limit")
    measured = pub[pub["quantity"] == "critical_n"]
    table = {int(s.removeprefix("d=")): v for s, v in measured[["setting", "value"]].values}
    assert table == PAPER_CRITICAL_N and sorted(table) == list(range(4, 46))
    d = np.array(sorted(table))
    assert (np.diff(paper_critical_n(d)) > 0).all()  # strictly rising, as Figure 2 shows
    # the printed cubic is a least-squares fit to these very points (Section 4): refitting them gives it back
    assert fit_cubic(d, paper_critical_n(d)) == pytest.approx(PAPER_CUBIC, rel=0.05, abs=0.1)
    assert np.isnan(paper_critical_n(3)).all()


@pytest.mark.parametrize(("name", "before", "after", "sign"), [
    ("nv_embed", "mean pooling", "latent attention", ("latent_minus_mean", "retrieval")),
    ("llm_embedder", "python-docstrings, trained without instructions",
     "python-docstrings, trained and queried with instructions", ("instructions_minus_none", "mean over two tasks")),
])
def test_recorded_sign_agrees_with_the_transcribed_table_rows(name, before, after, sign):
    # the sign an entry compares with is the sign of the paper's own two table values, not a separate claim
    pub = read_published(name).set_index(["quantity", "setting"])["value"]
    assert np.sign(pub[("ndcg@10", after)] - pub[("ndcg@10", before)]) == pub[sign]


def test_side_by_side_matches_quantity_and_setting(tmp_path):
    f = tmp_path / "toy.csv"
    f.write_text("quantity,setting,value,unit,paper,table,row,column,note\n"
                 "recall,a,0.5,fraction,P 2024,Table 1,a,recall,\n"
                 "recall,b,0.7,fraction,P 2024,Table 1,b,recall,\n")
    rows = [{"quantity": "recall", "setting": "b", "ours": 0.6, "unit": "fraction"},
            {"quantity": "recall", "setting": "c", "ours": 0.1, "unit": "fraction"}]
    table = side_by_side(rows, str(f))
    assert table.columns.tolist() == list(OUTCOME_COLUMNS)
    assert table["theirs"].iloc[0] == 0.7 and table["source"].iloc[0] == "P 2024, Table 1, row b, column recall"
    assert np.isnan(table["theirs"].iloc[1]) and table["source"].iloc[1] == ""
    f.write_text(f.read_text() + "recall,b,0.8,fraction,P 2024,Table 2,b,recall,\n")
    with pytest.raises(ValueError, match="more than once"):
        side_by_side(rows, str(f))
    with pytest.raises(ValueError, match="no rows"):
        side_by_side([], None)


def test_word_vectors_survey_smoke_run():
    outcome = get("word_vectors_survey").run(True)
    assert isinstance(outcome, Outcome) and outcome.verdict in VERDICTS
    table = outcome.table.set_index(["quantity", "setting"])
    # a quality floor on real data: 50-d GloVe on WordSim-353 (about 50 Spearman x100)
    assert table.loc[("spearman", "wordsim353 original"), "ours"] > 45
    # ours beside the paper's GloVe rows: Table 3 (similarity) and, for the smoke run's one section, Table 19
    assert table.loc[("spearman", "wordsim353 original"), "theirs"] == 73.79
    assert table.loc[("accuracy", "capital-common-countries all-but-the-top"), "theirs"] == 95.96
    gains = outcome.table[outcome.table["quantity"] == "abtt_gain"].set_index("setting")
    assert list(gains.index) == ["wordsim353", "simlex999", "capital-common-countries"]
    after = table.loc[("spearman", "wordsim353 all-but-the-top"), "ours"]
    before = table.loc[("spearman", "wordsim353 original"), "ours"]
    assert gains.loc["wordsim353", "ours"] == pytest.approx(after - before)
    # the verdict follows the rule: the sign of each gain against the sign of the paper's (all positive here)
    paper = outcome.details["paper_gains_x100"]
    assert paper == pytest.approx({"wordsim353": 3.0, "simlex999": 4.14, "capital-common-countries": 0.9})
    expected = "direction reproduced" if (gains["ours"] > 0).all() else "not reproduced"
    assert outcome.verdict == expected
    assert isinstance(pd.DataFrame(outcome.details["scores"]), pd.DataFrame)


def test_defsent_plus_whitening_rows_pair_up_per_kind_of_model():
    # the verdict compares our whitening-vs-none order with the published one for each kind of model: both rows of
    # each pair must be there (Gao et al. 2021, Table 5), and whitening raises the average in both, as printed
    pub = read_published("defsent_plus").set_index(["quantity", "setting"])["value"]
    for kind in ("untrained model", "trained encoder"):
        assert pub[("spearman", f"{kind}, whitening")] > pub[("spearman", f"{kind}, none")], kind
    assert pub[("spearman", "trained encoder, none")] > pub[("spearman", "untrained model, none")]


@pytest.mark.parametrize("name, prefix", [("llm_embedders_survey", ""), ("te_llm_survey", "untuned LLM ")])
def test_springer_rows_give_the_orderings_the_llm_entries_check(name, prefix):
    # both entries rank our poolings against Springer et al. (2024), Tables 1 and 4 (Mistral-7B, zero-shot MTEB):
    # every pooling the verdict or the reason reads must be there, in the order the paper prints
    pub = read_published(name).set_index(["quantity", "setting"])["value"]
    avg = [pub[("mteb_average", f"{prefix}{p}")] for p in ("last token", "mean", "PromptEOL + last token")]
    assert avg == sorted(avg) and avg[0] == pytest.approx(31.94)
    assert pub[("spearman", f"{prefix}PromptEOL + last token")] > pub[("spearman", f"{prefix}mean")]
    if name == "te_llm_survey":  # the adapted model above every untuned pooling we run, on STS and on average
        assert pub[("spearman", "trained for embedding")] > pub[("spearman", f"{prefix}PromptEOL + last token")]
        assert pub[("mteb_average", "trained for embedding")] > max(avg)

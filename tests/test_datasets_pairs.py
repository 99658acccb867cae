"""Pairs files in the layouts they are distributed in, read right or refused with the first row shown."""

import gzip
import json
import logging

import numpy as np
import pandas as pd
import pytest

import workbench.datasets as wd

STSB_ROWS = (
    "main-captions\tMSRvid\t2012test\t0001\t5.000\tA man with a hard hat is dancing.\t"
    "A man wearing a hard hat is dancing.\n"
    "main-captions\tMSRvid\t2012test\t0002\t4.750\tA young child is riding a horse.\tA child is riding a horse.\n"
    'main-news\theadlines\t2015\t0004\t2.800\tHe said "no, never".\tThe "deal" is off.\t2015\theadlines\n'
)
SICK_HEADER = "pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment\n"
SICK_ROWS = ("1\tA group of kids is playing in a yard\tA group of boys in a yard is playing\t4.5\tNEUTRAL\n"
             "2\tThe young boys are playing outdoors\tThe kids are playing outdoors near a man\t3.6\tENTAILMENT\n"
             "3\tA man is playing a flute\tA man is not playing a flute\t3.1\tCONTRADICTION\n")
MRPC_HEADER = "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n"
MRPC_ROWS = ('1\t702876\t702977\tAmrozi accused his brother , whom he called " the witness " , of distorting '
             'his evidence .\tReferring to him as only " the witness " , Amrozi accused his brother .\r\n'
             "0\t2108705\t2108831\tYucaipa owned Dominick 's before selling the chain to Safeway in 1998 .\t"
             "Yucaipa bought Dominick 's in 1995 for $ 1.8 billion .\r\n")


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------- real layouts


def test_stsb_distribution_file_named_csv_is_read_by_shape(tmp_path, caplog):
    path = write(tmp_path / "sts-test.csv", STSB_ROWS)
    with caplog.at_level(logging.INFO, logger="workbench.datasets"):
        ds = wd.load_pairs(path, task="sts")
    assert ds.meta["layout"] == "stsb" and ds.meta["columns"] == {"text1": 5, "text2": 6, "score": 4}
    assert ds.text1[2] == 'He said "no, never".' and ds.text2[2] == 'The "deal" is off.'
    assert ds.scores.tolist() == [5.0, 4.75, 2.8] and ds.meta["scale"] == (0.0, 5.0)
    summary = ds.meta["summary"]
    assert "read 3 pairs" in summary and "STS Benchmark distribution file" in summary
    assert "tab-separated, no header" in summary and "text1=5, text2=6, score=4" in summary
    assert [r.getMessage() for r in caplog.records] == [summary]


def test_seven_field_tsv_with_a_numeric_fifth_field_is_not_taken_for_stsb(tmp_path):
    path = write(tmp_path / "ratings.tsv", "en\tweb\tx1\tann3\t2\tA cat sits.\tA dog runs.\n"
                                           "fr\tweb\tx2\tann1\t4\tA car.\tA bus.\n")
    with pytest.raises(ValueError, match="cannot tell which columns") as err:
        wd.load_pairs(path, task="sts")
    message = str(err.value)
    assert "[4] no name, integer, value '2'" in message and "[0] no name, text, value 'en'" in message
    assert "text1=, text2=, score=" in message and "--text1" in message
    ds = wd.load_pairs(path, text1=5, text2=6, score=4)
    assert ds.scores.tolist() == [2.0, 4.0] and ds.meta["layout"] == "given"


@pytest.mark.parametrize("header", [True, False])
def test_sick_with_and_without_its_header(tmp_path, header):
    path = write(tmp_path / "SICK_trial.txt", (SICK_HEADER if header else "") + SICK_ROWS)
    ds = wd.load_pairs(path, task="sts")
    assert ds.meta["layout"] == "sick" and ds.meta["columns"] == {"text1": 1, "text2": 2, "score": 3}
    assert ds.text2[0] == "A group of boys in a yard is playing" and ds.scores.tolist() == [4.5, 3.6, 3.1]
    assert ("header on line 1" if header else "no header") in ds.meta["summary"]
    if header:
        assert ds.meta["column_names"]["score"] == "relatedness_score"


def test_full_sick_file_order_judgment_before_score(tmp_path):
    head = ("pair_ID\tsentence_A\tsentence_B\tentailment_label\trelatedness_score\tentailment_AB\tentailment_BA\t"
            "sentence_A_original\tsentence_B_original\tsentence_A_dataset\tsentence_B_dataset\tSemEval_set\n")
    row = "1\tA cat runs\tA cat is running\tENTAILMENT\t4.9\tA_entails_B\tB_entails_A\tx\ty\tFLICKR\tFLICKR\tTRAIN\n"
    ds = wd.load_pairs(write(tmp_path / "SICK.txt", head + row))
    assert (ds.text1, ds.text2, ds.scores.tolist()) == (["A cat runs"], ["A cat is running"], [4.9])
    bare = wd.load_pairs(write(tmp_path / "sick_bare.txt", row))
    assert bare.meta["layout"] == "sick" and bare.meta["columns"]["score"] == 4


def test_headerless_sick_never_scores_the_entailment_word(tmp_path):
    # a SICK-like file whose judgment column is unknown is refused, never read as (sentence_B, word, score)
    rows = "1\tA cat runs\tA cat is running\t4.5\tYES\n2\tA dog\tA car\t1.2\tNO\n"
    with pytest.raises(ValueError, match="cannot tell"):
        wd.load_pairs(write(tmp_path / "sickish.txt", rows), task="sts")


@pytest.mark.parametrize("header", [True, False])
def test_mrpc_with_bom_crlf_and_0_1_labels(tmp_path, header):
    path = write(tmp_path / "msr_paraphrase_test.txt", (MRPC_HEADER if header else "") + MRPC_ROWS)
    ds = wd.load_pairs(path, task="pairs")
    assert ds.meta["layout"] == "mrpc" and ds.meta["columns"] == {"text1": 3, "text2": 4, "score": 0}
    assert ds.scores.tolist() == [1.0, 0.0] and ds.text1[1].startswith("Yucaipa owned")
    assert "0/1 labels" in ds.meta["summary"]
    with pytest.raises(ValueError, match=r"0/1 labels, not graded scores.*eval pairs"):
        wd.load_pairs(path, task="sts")


def test_quora_question_pairs_csv_with_quotes_and_embedded_newlines(tmp_path):
    text = ('"id","qid1","qid2","question1","question2","is_duplicate"\r\n'
            '"0","1","2","What is the step by step guide to invest in share market in india?",'
            '"What is the step by step guide to invest in share market?","0"\r\n'
            '"1","3","4","How do I learn Python, fast?","What is the fastest way\nto learn Python?","1"\r\n\r\n\r\n')
    ds = wd.load_pairs(write(tmp_path / "train.csv", text))
    assert ds.meta["layout"] == "qqp" and ds.meta["format"] == "comma-separated"
    assert ds.text1[1] == "How do I learn Python, fast?" and ds.text2[1] == "What is the fastest way\nto learn Python?"
    assert ds.scores.tolist() == [0.0, 1.0] and "skipped: 2 blank" in ds.meta["summary"]
    headerless = "\n".join(text.splitlines()[1:2]).replace('"', "").replace(",", "\t") + "\n"
    assert wd.load_pairs(write(tmp_path / "qqp.tsv", headerless)).meta["layout"] == "qqp"


def test_mteb_sts_json_lines_parquet_dataframe_and_json(tmp_path):
    records = [{"sentence1": "A cat.", "sentence2": "A kitten.", "score": 4.5},
               {"sentence1": "A car.", "sentence2": "A tree.", "score": 0.5}]
    (tmp_path / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "test.json").write_text(json.dumps(records))
    pd.DataFrame(records).to_parquet(tmp_path / "test.parquet")
    for source in (tmp_path / "test.jsonl", tmp_path / "test.json", tmp_path / "test.parquet",
                   pd.DataFrame(records)):
        ds = wd.load_pairs(source)
        assert ds.text2 == ["A kitten.", "A tree."] and ds.scores.tolist() == [4.5, 0.5]
        assert ds.meta["layout"] == "header", source


def test_hugging_face_datasets_objects_and_save_to_disk_folders(tmp_path):
    datasets = pytest.importorskip("datasets", reason="the hf extra (datasets) is not installed")
    records = {"sentence1": ["A cat.", "A car."], "sentence2": ["A kitten.", "A tree."], "score": [4.5, 0.5],
               "label": ["pos", "neg"]}
    table = datasets.Dataset.from_dict(records)
    table.save_to_disk(str(tmp_path / "one split"))
    datasets.DatasetDict({"train": table, "test": table}).save_to_disk(str(tmp_path / "two splits"))
    for source in (table, tmp_path / "one split", str(tmp_path / "one split")):
        ds = wd.load_pairs(source, score="score")
        assert ds.text1 == ["A cat.", "A car."] and ds.scores.tolist() == [4.5, 0.5], source
    texts = wd.load_texts(tmp_path / "one split", text="sentence1", label="label")
    assert texts.texts == ["A cat.", "A car."] and texts.labels.tolist() == ["pos", "neg"]
    with pytest.raises(ValueError, match=r"holds the splits \['train', 'test'\]; pass one of them"):
        wd.load_pairs(tmp_path / "two splits")
    with pytest.raises(ValueError, match="no column 'question1' for text1; the columns are"):
        wd.load_pairs(table, text1="question1", text2="sentence2", score="score")


def test_table_columns_by_name_and_missing_names_listed(tmp_path):
    frame = pd.DataFrame({"left": ["a", "b"], "right": ["c", "d"], "gold": [1.0, 2.5], "other": [7, 8]})
    frame.to_parquet(tmp_path / "p.parquet")
    ds = wd.load_pairs(tmp_path / "p.parquet", text1="left", text2="right", score="gold")
    assert ds.scores.tolist() == [1.0, 2.5]
    with pytest.raises(ValueError, match=r"no column 'sentence1' for text1; the columns are "
                                         r"\['left', 'right', 'gold', 'other'\]"):
        wd.load_pairs(frame, text1="sentence1", text2="right", score="gold")
    holes = pd.DataFrame({"sentence1": ["a", None], "sentence2": ["b", "c"], "score": [1.0, 2.0]})
    with pytest.raises(ValueError, match="DataFrame row 2: a text is empty"):
        wd.load_pairs(holes)
    with pytest.raises(ValueError, match=r"row 2: the score \(column 2 'score'\) is empty or missing"):
        wd.load_pairs(holes.fillna("x").assign(score=[1.0, float("nan")]))
    unnamed = pd.DataFrame([["a", "b", 1.5], ["c", "d", 2.0]])  # columns 0, 1, 2
    assert wd.load_pairs(unnamed).meta["columns"] == {"text1": 0, "text2": 1, "score": 2}
    with pytest.raises(ValueError, match="names a column but the file has no header"):
        wd.load_pairs(unnamed, text1="a", text2=1, score=2)


def test_triplets_become_labelled_pairs(tmp_path):
    path = write(tmp_path / "triplets.tsv", "query\tpositive\tnegative\nwhat purrs?\tcats purr\tcars honk\n")
    ds = wd.load_pairs(path, task="pairs")
    assert ds.meta["layout"] == "triplets" and ds.text2 == ["cats purr", "cars honk"]
    assert ds.scores.tolist() == [1.0, 0.0] and ds.text1 == ["what purrs?"] * 2


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize("header", ["sentence1\tsentence2\tscore\tlabel\n", ""])
def test_label_after_score_is_refused_or_settled_by_the_task(tmp_path, header):
    path = write(tmp_path / "both.tsv", header + "A cat.\tA kitten.\t4.5\t1\nA car.\tA tree.\t0.5\t0\n")
    with pytest.raises(ValueError, match="more than one column could be the score"):
        wd.load_pairs(path)
    sts = wd.load_pairs(path, task="sts")
    assert sts.text2 == ["A kitten.", "A tree."] and sts.scores.tolist() == [4.5, 0.5]
    assert "sts uses the graded column 2" in sts.meta["summary"]
    assert wd.load_pairs(path, task="pairs").scores.tolist() == [1.0, 0.0]


def test_a_bad_score_names_file_line_and_value_or_is_counted(tmp_path):
    path = write(tmp_path / "pairs.tsv", "a\tb\t1.5\nc\td\t2\ne\tf\tabc\ng\th\t3.5\n")
    with pytest.raises(ValueError, match=r"pairs\.tsv line 3: expected a numeric score in column 2, got 'abc'"):
        wd.load_pairs(path)
    ds = wd.load_pairs(path, skip_bad_rows=True)
    assert len(ds) == 3 and "1 non-numeric score" in ds.meta["summary"]
    nan = write(tmp_path / "nan.tsv", "a\tb\t1.5\nc\td\tNaN\ne\tf\t2\n")
    with pytest.raises(ValueError, match=r"nan\.tsv line 2: the score \(column 2\) is NaN"):
        wd.load_pairs(nan)


def test_scores_outside_the_range_warn_with_a_count(tmp_path):
    rows = STSB_ROWS.replace("\t5.000\t", "\t7.000\t").replace("\t4.750\t", "\t6.5\t")
    with pytest.warns(UserWarning, match=r"2 of 3 scores lie outside the range 0\.\.5"):
        ds = wd.load_pairs(write(tmp_path / "sts-dev.csv", rows))
    assert "2 outside the range" in ds.meta["summary"]
    with pytest.warns(UserWarning, match="1 of 2 scores"):
        wd.load_pairs(write(tmp_path / "p.tsv", "a\tb\t0.5\nc\td\t1.5\n"), scale=(0, 1))


def test_encoding_gzip_empty_and_odd_paths(tmp_path):
    latin = write(tmp_path / "latin.tsv", "caf\u00e9\tcoffee\t4.0\n", encoding="latin-1")
    with pytest.raises(ValueError, match=r"latin\.tsv line 1: not UTF-8 text \(byte 0xe9"):
        wd.load_pairs(latin)
    packed = tmp_path / "sts-test.csv.gz"
    packed.write_bytes(gzip.compress(STSB_ROWS.encode()))
    ds = wd.load_pairs(packed)
    assert ds.meta["layout"] == "stsb" and len(ds) == 3 and ds.name == "sts-test"
    (tmp_path / "zero.tsv").write_bytes(b"")
    with pytest.raises(ValueError, match=r"zero\.tsv is empty"):
        wd.load_pairs(tmp_path / "zero.tsv")
    odd = tmp_path / "mes données" / "paires été.tsv"
    odd.parent.mkdir()
    ds = wd.load_pairs(write(odd, "sentence1\tsentence2\tscore\nÉté\tSommer\t4.0\n"))
    assert ds.text1 == ["Été"] and "paires été.tsv" in ds.meta["summary"]


def test_explicit_columns_check_their_range_and_names(tmp_path):
    path = write(tmp_path / "p.tsv", "a\tb\t1.5\n")
    with pytest.raises(ValueError, match="text1=9 is out of range; the rows have columns 0..2"):
        wd.load_pairs(path, text1=9, text2=1, score=2)
    assert wd.load_pairs(path, text1="1", text2="0", score="2").text1 == ["b"]  # CLI digits are positions


def test_word_similarity_files_with_comment_header(tmp_path):
    path = write(tmp_path / "wordsim.tsv", "# Word 1\tWord 2\tHuman (mean)\nlove\tsex\t6.77\ntiger\tcat\t7.35\n")
    ds = wd.load_pairs(path)
    assert ds.meta["layout"] == "shape" and ds.scores.tolist() == [6.77, 7.35]
    assert "skipped: 1 comment" in ds.meta["summary"]
    assert np.isclose(wd.load("wordsim353").scores[1], 7.35)

"""Cleaning Usenet posts (quotes, attributions, headers, signatures go) and the message for a missing local copy."""

import pytest

from workbench import datasets as wd
from workbench.datasets.usenet import clean_post

POST = """From: someone@x.edu (Some One)
Organization: X University

In article <1993Apr25.1@monu6.cc.monash.edu.au>, other@y.au (An Other) writes:
> Is the shuttle safe?
>> It never was.
MB>what about the tiles?

The shuttle is safer than it was in 1986.
It flies again next month.

--
Some One   |  "standard disclaimer"
"""


def test_clean_post_keeps_only_the_authors_words():
    assert clean_post(POST) == "The shuttle is safer than it was in 1986.\nIt flies again next month."


def test_clean_post_drops_a_framed_signature_box_and_leaves_plain_text_alone():
    boxed = "What does a launch cost?\n\n|  A. Person\t| a quip\t|\n| a@b.edu  \t| more quip\t|"
    assert clean_post(boxed) == "What does a launch cost?"
    plain = "Space is big.\n\nReally big: that is the point."
    assert clean_post(plain) == plain
    with pytest.raises(TypeError, match="takes a str"):
        clean_post(None)


def test_mini_newsgroups_clean_option():
    raw, clean = wd.load("mini-newsgroups"), wd.load("mini-newsgroups", clean=True)
    assert len(clean) == len(raw) == 200 and list(clean.labels) == list(raw.labels)
    assert clean.meta["cleaned"] and not raw.meta["cleaned"]
    assert sum("In article <" in t for t in raw.texts) > 50  # the raw posts do carry the noise
    assert not any("In article <" in t or t.lstrip().startswith(">") for t in clean.texts)
    assert all(t.strip() for t in clean.texts)  # no post is all quotation
    assert sum(map(len, clean.texts)) < 0.7 * sum(map(len, raw.texts))
    with pytest.raises(ValueError, match="takes no option 'clean'"):
        wd.load("lee-pairs", clean=True)
    with pytest.raises(ValueError, match="takes no option 'strip'.*takes clean"):
        wd.load("mini-newsgroups", strip=True)


def test_missing_copy_message_says_where_it_looked_and_how_to_provide_one(tmp_path, monkeypatch):
    from workbench.datasets import local

    monkeypatch.setattr(local, "PROJECT_DATA", tmp_path / "project-data")
    monkeypatch.setenv("WB_DATA_DIR", str(tmp_path / "mine"))
    text = wd.missing_copy_message("limit-small", "generated data stand in for it")
    assert str(tmp_path / "mine") in text and str(tmp_path / "project-data") in text
    assert "generated data stand in for it" in text and "WB_DATA_DIR" in text
    assert str(tmp_path / "project-data" / "limit-small") in text
    with pytest.raises(ValueError, match="plain file or folder name"):
        wd.missing_copy_message("../x", "nothing")

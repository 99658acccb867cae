# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Embeddings learned from raw text: word2vec to Binary Paragraph Vectors and multi-sense words
#
# Every other notebook loads vectors someone else trained. Here we learn them, from the
# text that ships with the package (reviews, snippets, speeches, headlines, newsgroup
# posts, news), and put them next to GloVe 6B 50-d. GloVe was trained on about six
# billion tokens; our corpus has about two million, so the comparison shows what data
# buys, not which method is better.
#
# 1. skip-gram, CBOW, fastText and doc2vec on the packaged corpora, scored on WordSim-353,
#    SimLex-999 and the Google analogies, with out-of-vocabulary pairs counted;
# 2. learned vectors as an `Encoder`, so every tool of the workbench applies;
# 3. Binary Paragraph Vectors: 32-128-bit document codes learned from text, searched by
#    Hamming distance, against hashing of MiniLM vectors and float baselines;
# 4. a Disambiguated Skip-gram: several senses for frequent words.

# %% tags=["parameters"]
import os

from workbench.env import smoke_banner

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
PER_SET = 10_000 if SMOKE else None  # tokens read from each packaged corpus (None: all, about 2.2 million)
EPOCHS = 2 if SMOKE else 5  # passes over the corpus for each static method
N_CORPUS, N_QUERIES = (300, 60) if SMOKE else (4000, 400)  # clothing reviews searched / used as queries
BPV_EPOCHS = 2 if SMOKE else 5  # Binary PV training passes
SENSE_PER_SET = 6_000 if SMOKE else 70_000  # tokens per corpus for the multi-sense model
smoke_banner(SMOKE)  # says so at the top when the numbers are only a smoke run

# %%
import warnings

import numpy as np
import pandas as pd
import plotly.express as px

import workbench as wb
from workbench.learn.binary_pv import BinaryParagraphVectors
from workbench.learn.corpus import CORPORA, load_corpus, tokenize_texts
from workbench.learn.hashing import ITQ, MedianThreshold, RandomHyperplaneLSH
from workbench.learn.label_retrieval import compare_codes
from workbench.learn.multisense import DisambiguatedSkipGram, evaluate_senses
from workbench.learn.static_text import random_vectors, train_static
from workbench.evaluate.analogies import evaluate_analogies
from workbench.learn.word_pairs import compare_word_pairs

warnings.filterwarnings("ignore", message=".*pairs skipped")

# %% [markdown]
# ## 1. The corpus
#
# Documents are tokenised the way GloVe's vocabulary was built (lower case, clitics
# split), so both vocabularies use the same tokens.

# %%
corpus = load_corpus(CORPORA, max_tokens_per_set=PER_SET)
pd.DataFrame(corpus.summary()).T.assign(share=lambda d: (d.tokens / d.tokens.sum()).round(3))

# %%
print(f"{len(corpus):,} documents, {corpus.n_tokens:,} tokens; GloVe 6B saw about 6,000,000,000")

# %% [markdown]
# ## 2. Five ways to learn word vectors
#
# All seeded; `workers=2` trades exact repeatability for speed (use 1 to repeat a run bit for bit).

# %%
models = {}
for method in ("skipgram", "cbow", "fasttext", "pv-dbow", "pv-dm"):
    models[method] = train_static(corpus.docs, method, dim=100, epochs=EPOCHS, min_count=5 if not SMOKE else 2,
                                  workers=2)
models["random"] = random_vectors(models["skipgram"].words, 100)
glove = wb.load_encoder("glove-50d")
pairs = {"wordsim353": wb.datasets.load("wordsim353"), "simlex999": wb.datasets.load("simlex999")}
scores = compare_word_pairs({**models, "glove-6B-50d": glove}, pairs, n_resamples=200)
scores.round(3)

# %% [markdown]
# `spearman` (Spearman's rank correlation between the cosines of the pairs' word vectors and
# the human ratings) is computed on the pairs whose two words the model knows (`n`; `oov_pairs`
# were skipped, as the GloVe encoder reports its unknown words); `spearman_common` on the
# pairs every model knows, the fair comparison. fastText builds vectors for unseen words
# from character n-grams, so it covers every pair.

# %%
best = scores[(scores.dataset == "wordsim353") & ~scores.model.isin(["random", "glove-6B-50d"])]
top = best.sort_values("spearman_common").iloc[-1]
glove_ws = scores[(scores.dataset == "wordsim353") & (scores.model == "glove-6B-50d")].spearman_common.iloc[0]
print(f"best learned model on WordSim-353 (common pairs): {top.model} {top.spearman_common:.3f}; "
      f"GloVe {glove_ws:.3f} from about {6e9 / corpus.n_tokens:,.0f} times as much text")

# %%
px.bar(scores, x="model", y="spearman_common", color="dataset", barmode="group",
       title="Word similarity on the pairs all models cover (Spearman)")

# %% [markdown]
# Analogies (3CosAdd over each model's 30,000 most frequent words): small corpora cover
# few questions, and those they cover are hard for them. For a question $a : b :: c : ?$,
# 3CosAdd (Mikolov, Yih and Zweig, 2013) answers with the word $x$ (other than $a$, $b$, $c$)
# that maximises $\cos(x, b) - \cos(x, a) + \cos(x, c)$, i.e. the cosine with $b - a + c$ for
# unit vectors.

# %%
analogies = wb.datasets.load("google-analogies")
rows = []
for name, lv in {**models, "glove-6B-50d": None}.items():
    words, vecs = (glove.tokenizer.words, glove.vectors.numpy()) if lv is None else (lv.words, lv.vectors)
    try:
        r = evaluate_analogies(vecs, words, analogies, vocab_limit=30_000)
    except ValueError as err:  # no question fully covered (tiny smoke corpus)
        r = {"accuracy": np.nan, "n": 0, "coverage": 0.0, "error": str(err)}
    rows.append({"model": name, "accuracy": r["accuracy"], "questions": r["n"], "coverage": r["coverage"]})
pd.DataFrame(rows).round(3)

# %% [markdown]
# ## 3. Learned vectors are an Encoder
#
# `LearnedVectors.encoder()` wraps the table in the same `StaticEncoder` GloVe uses, so
# sentence vectors, geometry, search and evaluation all apply.

# %%
enc = models["skipgram"].encoder()
X = enc.encode(["a lovely summer dress", "the movie was dull", "the senator spoke about jobs"], cache=False)
print(enc, X.shape)
pd.DataFrame(X @ X.T, index=["dress", "movie", "senator"], columns=["dress", "movie", "senator"]).round(2)

# %% [markdown]
# ## 4. Binary Paragraph Vectors
#
# Documents are clothing reviews; relevant means the same department (Tops, Dresses,
# ...). Binary PV learns codes for the searched reviews, then infers codes for held-out
# queries with the word weights frozen. The others hash vectors: random hyperplanes and
# ITQ on MiniLM, and PV-DBOW vectors cut at each dimension's median.

# %%
reviews = wb.datasets.load("clothing-reviews")
dept = reviews.attributes["department"].astype(str).to_numpy()
pick = np.random.default_rng(0).permutation(len(reviews.texts))[: N_CORPUS + N_QUERIES]
texts, labels = [reviews.texts[i] for i in pick], dept[pick]
docs = tokenize_texts(texts)
Dc, Dq, Lc, Lq = docs[:N_CORPUS], docs[N_CORPUS:], labels[:N_CORPUS], labels[N_CORPUS:]

systems = {}
for bits in (32, 64, 128):
    bpv = BinaryParagraphVectors(bits=bits, epochs=BPV_EPOCHS).fit(Dc)
    systems[f"binary-PV {bits}"] = {"query_bits": bpv.infer(Dq)[0], "corpus_bits": bpv.codes_}
rb = BinaryParagraphVectors(bits=64, real_dim=32, epochs=BPV_EPOCHS).fit(Dc)
q_bits, q_real = rb.infer(Dq)
systems["real-binary-PV 64+32"] = {"query_bits": q_bits, "corpus_bits": rb.codes_, "rerank": (q_real, rb.real_)}
pv = train_static(Dc, "pv-dbow", dim=64, min_count=2, epochs=2 * BPV_EPOCHS, workers=2)
pq = pv.infer_documents(Dq)
median = MedianThreshold().fit(pv.doc_vectors)
systems["doc2vec 64 -> median bits"] = {"query_bits": median.transform(pq), "corpus_bits": median.transform(pv.doc_vectors)}
systems["doc2vec 64 float"] = {"query": pq, "corpus": pv.doc_vectors}
minilm = wb.load_encoder("minilm")
Xc, Xq = minilm.encode(texts[:N_CORPUS]), minilm.encode(texts[N_CORPUS:])
for bits in (32, 64):
    lsh, itq = RandomHyperplaneLSH(bits=bits).fit(Xc), ITQ(bits=bits).fit(Xc)
    systems[f"MiniLM LSH {bits}"] = {"query_bits": lsh.transform(Xq), "corpus_bits": lsh.transform(Xc)}
    systems[f"MiniLM ITQ {bits}"] = {"query_bits": itq.transform(Xq), "corpus_bits": itq.transform(Xc)}
systems["MiniLM float 384"] = {"query": Xq, "corpus": Xc}
retrieval = compare_codes(systems, Lq, Lc, k=min(100, N_CORPUS))
majority = pd.Series(Lc).value_counts(normalize=True).iloc[0]
print(f"{N_CORPUS} reviews searched, {N_QUERIES} queries; a random ranking scores precision ~ "
      f"{(pd.Series(Lq).map(pd.Series(Lc).value_counts(normalize=True))).mean():.3f}")
retrieval.round(3)

# %%
from workbench.viz.polish import label_points, log_axis

label_points(log_axis(px.scatter(retrieval, x="bits_per_doc", y="ndcg@10", text="system",
                                 title="Same-department retrieval: nDCG@10 against bits per document")))

# %% [markdown]
# **Transfer.** Codes for the same reviews from a Binary PV trained on another corpus
# (Rotten Tomatoes snippets): only the word weights carry over.

# %%
movie_docs = tokenize_texts(wb.datasets.load("rotten-tomatoes").texts[: 4 * N_CORPUS])
transfer = BinaryParagraphVectors(bits=64, epochs=BPV_EPOCHS).fit(movie_docs)
compare_codes({"binary-PV 64, trained on clothing": systems["binary-PV 64"],
               "binary-PV 64, trained on rotten-tomatoes": {"query_bits": transfer.infer(Dq)[0],
                                                            "corpus_bits": transfer.infer(Dc)[0]}},
              Lq, Lc, k=min(100, N_CORPUS)).round(3)

# %% [markdown]
# ## 5. Several senses per word
#
# The Disambiguated Skip-gram gives the most frequent words three sense vectors and a
# selector that picks one from the context; rarely chosen or duplicate senses are pruned.
# We compare it with the same model with one sense (plain skip-gram) on the same tokens.

# %%
sense_docs = load_corpus(CORPORA, max_tokens_per_set=SENSE_PER_SET).docs
single = DisambiguatedSkipGram(dim=50, senses=1, epochs=2, min_count=3, seed=0).fit(sense_docs)
multi = DisambiguatedSkipGram(dim=50, senses=3, n_multi=300, epochs=2, min_count=3, seed=0).fit(sense_docs)
rows = []
for name, ds in pairs.items():
    for model, mode in ((single, "avg"), (multi, "avg"), (multi, "max")):
        r = evaluate_senses(model, ds, mode=mode)
        rows.append({"dataset": name, "model": f"{model.senses} sense(s), {mode}", "spearman": r["spearman"],
                     "n": r["n"]})
pd.DataFrame(rows).round(3)

# %%
kept = {w: multi.n_senses(w) for w in multi.words_[:300]}
ambiguous = [w for w, k in kept.items() if k > 1 and w.isalpha() and len(w) > 3][:6]
print(f"{sum(k > 1 for k in kept.values())} of 300 multi-sense words keep more than one sense after pruning")
{w: multi.sense_neighbours(w, k=6) for w in ambiguous}

# %% [markdown]
# The neighbour lists above are the senses the model found; whether they are the senses
# a dictionary lists is for the reader to judge (at smoke size they are mostly noise).
# In a full-size run (397,699 tokens, seed 0) one sense scored WordSim 0.255 against 0.207
# for three senses averaged (SimLex 0.183 against 0.177, every interval overlapping), and
# the senses kept mostly split a word by *source corpus* rather than by meaning: "they"
# had one sense among atheists and governors (newsgroups, speeches) and one among calves
# and armholes (clothing reviews). On a mix of domains, the domain is the strongest
# "sense" a context carries.

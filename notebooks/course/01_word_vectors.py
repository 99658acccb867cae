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
# # Lesson 1 — Word vectors: similarity, analogies, and what cosine measures
#
# **Learning goals.** After this lesson you can
# 1. compute the cosine similarity of two vectors and say why it ignores their length;
# 2. rank a vocabulary by similarity to a query and find a word's nearest neighbours;
# 3. measure how well a word-vector model agrees with people (Spearman correlation on
#    WordSim-353);
# 4. solve analogies *a : b :: c : ?* with vector arithmetic and measure the accuracy;
# 5. explain why "similar" and "related" are not the same thing to a vector model.
#
# **Prerequisites.** Python and numpy (arrays, broadcasting, `argsort`); the dot product
# and vector length from linear algebra. No machine learning needed.
#
# **Time.** About 60 minutes: 10 reading, 40 for the five exercises, 10 for the discussion.
#
# **How the exercises work.** Write your code between the lines the cell shows (in your
# edition a cell says `raise NotImplementedError`: replace that line). Then run the check
# cell below it: it prints `PASS` or a hint that points at the likely mistake. Run the
# cells in order.
#
# The vectors are GloVe (Pennington, Socher and Manning, 2014): 400,000 words, 50
# dimensions, learned from co-occurrence counts in Wikipedia and newswire text.

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
VOCAB = 30_000  # search the 30,000 most frequent words, as Mikolov et al. (2013) did

# %%
import numpy as np
from scipy import stats

import workbench as wb
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import row_pairs, scores_with_ties
from workbench.evaluate.analogies import evaluate_analogies
from workbench.evaluate.sts import cosine_rows as reference_cosine_rows
from workbench.evaluate import evaluate_sts
from workbench.search import top_k as reference_top_k

glove = wb.load_encoder("glove-50d")
words = glove.tokenizer.words          # row i of the table is the vector of words[i]
vectors = glove.vectors.numpy()        # (400000, 50) float32, most frequent words first
row = {w: i for i, w in enumerate(words)}
vectors.shape, words[:8]

# %% [markdown]
# ## 1. Cosine similarity
#
# The cosine of the angle between $u$ and $v$ is
# $\cos(u, v) = \dfrac{u \cdot v}{\lVert u\rVert\,\lVert v\rVert}$. It is 1 for vectors
# pointing the same way, 0 for orthogonal ones, and it does not change when either vector
# is stretched: frequent words tend to get longer GloVe vectors, and cosine ignores that.
#
# **Exercise 1 (write a function).** `cosine_rows(a, b)` takes two arrays of shape
# `(n, d)` and returns the `n` cosines of matching rows, shape `(n,)`.

# %% tags=["exercise:lesson01-ex1"]
def cosine_rows(a, b):
    """Cosine similarity of row i of ``a`` with row i of ``b``, for every i: shape (n,)."""
    ### BEGIN SOLUTION
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    ### END SOLUTION


# %%
check_function("cosine_rows", reference_cosine_rows, row_pairs, exercise="lesson01-ex1",
               hints=["dot_product", "scaled"])

# %% [markdown]
# Your function at work: which pairs does GloVe find close?

# %%
pairs = [("cat", "dog"), ("cat", "car"), ("king", "queen"), ("coffee", "tea"), ("coffee", "tiger")]
left, right = vectors[[row[a] for a, _ in pairs]], vectors[[row[b] for _, b in pairs]]
try:
    for (a, b), cos in zip(pairs, cosine_rows(left, right)):
        print(f"{a:>8} ~ {b:<8} {cos:.3f}")
except NotImplementedError:
    print("solve exercise 1 first")

# %% [markdown]
# ## 2. Nearest neighbours
#
# To find a word's neighbours we score every word of the vocabulary against it and keep
# the best $k$. Many scores can be equal; any order among equal scores is fine.
#
# **Exercise 2 (write a function).** `top_k(scores, k)` takes a score matrix of shape
# `(m, n)` (one row per query) and returns the column ids of the `k` highest scores of
# each row, **best first**, shape `(m, k)`.

# %% tags=["exercise:lesson01-ex2"]
def top_k(scores, k):
    """Ids of the k best columns of each row of ``scores``, best first: shape (m, k)."""
    ### BEGIN SOLUTION
    return np.argsort(-np.asarray(scores), axis=1, kind="stable")[:, :k]
    ### END SOLUTION


# %%
check_function("top_k", lambda s, k: reference_top_k(s, k)[1], scores_with_ties, exercise="lesson01-ex2",
               compare="ties", hints=["ascending"])

# %%
unit = vectors[:VOCAB] / np.linalg.norm(vectors[:VOCAB], axis=1, keepdims=True)
queries = ["frog", "paris", "python", "happy"]
try:
    ids = top_k(unit[[row[q] for q in queries]] @ unit.T, 6)
    for q, found in zip(queries, ids):
        print(f"{q:>7}: {', '.join(words[i] for i in found[1:])}")  # the first is the word itself
except NotImplementedError:
    print("solve exercise 2 first")

# %% [markdown]
# ## 3. Do people agree?
#
# WordSim-353 (Finkelstein et al., 2002) has 353 word pairs, each rated 0–10 by about 15
# people. A model agrees with them when the pairs it finds most similar are the pairs
# people rated highest: the **Spearman rank correlation** between the cosines and the
# ratings (Pearson's correlation of the ranks) measures exactly that, whatever the scale.
#
# **Exercise 3 (compute a number).** Compute `ws_spearman`, the Spearman correlation
# between GloVe's cosine of each WordSim-353 pair and the human rating. Use your
# `cosine_rows`; `glove.encode(list_of_words, normalize=False)` gives one vector per word,
# and `stats.spearmanr` the correlation.

# %%
wordsim = wb.datasets.load("wordsim353")
list(zip(wordsim.text1[:4], wordsim.text2[:4], wordsim.scores[:4]))

# %% tags=["exercise:lesson01-ex3"]
### BEGIN SOLUTION
cos = cosine_rows(glove.encode(list(wordsim.text1), normalize=False),
                  glove.encode(list(wordsim.text2), normalize=False))
ws_spearman = stats.spearmanr(cos, wordsim.scores).statistic
### END SOLUTION
ws_spearman

# %%
ws_reference = evaluate_sts(glove, wordsim, n_resamples=0)
check_number("ws_spearman", ws_reference["spearman"], exercise="lesson01-ex3", tol=1e-3,
             mistakes={"that is Pearson's r of the raw cosines; Spearman correlates their ranks":
                       ws_reference["pearson"]})

# %% [markdown]
# ## 4. Analogies
#
# *man : king :: woman : ?* — Mikolov, Yih and Zweig (2013) answered such questions with
# vector arithmetic ("3CosAdd"): the answer is the word $x$ whose unit vector has the
# highest cosine with $\hat b - \hat a + \hat c$, leaving out $a$, $b$ and $c$ themselves.
# The Google analogy set groups 19,544 questions in 14 sections.
#
# **Exercise 4 (compute a number).** Compute `capital_accuracy`: the fraction of the
# `capital-common-countries` questions (*Athens : Greece :: Baghdad : ?*) that 3CosAdd
# answers correctly, searching the `VOCAB` most frequent words (`unit`, above, holds their
# unit vectors). Lower-case the words, skip a question with a word outside the searched
# vocabulary, and never answer with one of the question's own three words.

# %%
analogies = wb.datasets.load("google-analogies")
capitals = [q for q in zip(analogies.a, analogies.b, analogies.c, analogies.d, analogies.section)
            if q[4] == "capital-common-countries"]
len(capitals), capitals[0]

# %% tags=["exercise:lesson01-ex4"]
### BEGIN SOLUTION
in_vocab = {w: i for i, w in enumerate(words[:VOCAB])}
hits = []
for a, b, c, d, _ in capitals:
    ids = [in_vocab.get(w.lower()) for w in (a, b, c, d)]
    if None in ids:
        continue
    target = unit[ids[1]] - unit[ids[0]] + unit[ids[2]]
    scores = unit @ target
    scores[ids[:3]] = -np.inf
    hits.append(int(np.argmax(scores)) == ids[3])
capital_accuracy = float(np.mean(hits))
### END SOLUTION
capital_accuracy

# %%
section = ["capital-common-countries"]
check_number("capital_accuracy", evaluate_analogies(vectors, words, analogies, vocab_limit=VOCAB,
                                                    sections=section)["accuracy"],
             exercise="lesson01-ex4", tol=1e-6,
             mistakes={"you let a question's own words answer it: exclude a, b and c from the candidates":
                       evaluate_analogies(vectors, words, analogies, vocab_limit=VOCAB, sections=section,
                                          exclude_inputs=False)["accuracy"]})

# %% [markdown]
# ## 5. Similar or related?
#
# SimLex-999 (Hill, Reichart and Korhonen, 2015) asked people for *similarity* in the strict
# sense: *coffee* and *cup* are related but not similar; *car* and *automobile* are similar.
# WordSim-353 mixes both. Here is GloVe on the two:

# %%
simlex = wb.datasets.load("simlex999")
{"wordsim353": round(ws_reference["spearman"], 3),
 "simlex999": round(evaluate_sts(glove, simlex, n_resamples=0)["spearman"], 3)}

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences: why does GloVe agree
# much less with people on SimLex-999 than on WordSim-353? Name what GloVe's training
# signal rewards, and give one word pair of your own where the two notions differ.
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 2: GloVe learns from co-occurrence (words that appear in the same contexts or near each
#   other); co-occurrence captures *relatedness* (coffee–cup, doctor–hospital) at least as
#   much as *similarity* (substitutability).
# - 1: SimLex-999 rates related-but-dissimilar pairs (and antonyms) low, where cosine is
#   high, so the rankings disagree; WordSim-353 rewards relatedness.
# - 1: a correct example of their own (e.g. hot–cold: antonyms share contexts, high cosine,
#   low SimLex similarity).
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson01-ex5"]
### BEGIN SOLUTION
explanation = """GloVe is trained to predict how often two words co-occur, so words that appear in
the same contexts get close vectors. That captures relatedness: coffee and cup, or doctor and
hospital, occur together all the time. SimLex-999 asks for similarity in the strict sense, whether
one word could replace the other, and rates related but dissimilar pairs low, while WordSim-353
rewards relatedness. Antonyms show it best: hot and cold share almost all their contexts, so their
cosine is high, yet people rate them as not similar at all."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson01-ex5", min_words=40)

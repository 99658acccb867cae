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
# # Lesson 4 — Retrieval: nDCG@10 and recall by hand, BM25 against a dense model
#
# **Learning goals.** After this lesson you can
# 1. compute nDCG@10 and recall@k of a ranking from graded relevance judgements;
# 2. run dense retrieval (embed, then nearest neighbours) and lexical retrieval (BM25);
# 3. score both the way MTEB and BEIR do, on the same queries;
# 4. find the queries where each one wins, and say why.
#
# **Prerequisites.** Lessons 1–3 (cosine, nearest neighbours, averaging a score over
# examples); logarithms. No information-retrieval background needed.
#
# **Time.** About 75 minutes: 15 reading, 45 for the five exercises, 15 for the discussion.
#
# The task: given the first paragraph of a Python standard-library docstring, find the
# function it documents among the library's functions (the code, docstring removed).
# Dense retrieval uses all-MiniLM-L6-v2; lexical retrieval uses BM25 (Robertson and
# Zaragoza, 2009), the baseline every dense retriever is measured against (Karpukhin et
# al., 2020; Thakur et al., 2021).

# %% tags=["parameters"]
import os

SMOKE = os.environ.get("WB_SMOKE") == "1"  # small sizes for the test suite
N_QUERIES = 30 if SMOKE else 100  # docstring queries
N_DOCS = 200 if SMOKE else 1000  # functions searched (each query's own function plus distractors)

# %%
import numpy as np

import workbench as wb
from workbench.bm25 import BM25
from workbench.course import check_function, check_number, check_text
from workbench.course.inputs import ranking_judgements_and_k, ranking_with_judgements
from workbench.evaluate import evaluate_retrieval, ranking_metrics, retrieval_subset
from workbench.search import exact_search

data = retrieval_subset(wb.datasets.load("python-docstrings"), N_QUERIES, n_docs=N_DOCS)
q = data.query_ids[0]
print(len(data.queries), "queries,", len(data.corpus), "documents")
print("QUERY:", data.queries[q])
print("RELEVANT:", data.corpus[next(iter(data.qrels[q]))][:300])

# %% [markdown]
# ## 1. nDCG@10
#
# A ranking is good when relevant documents come early. **DCG@10** adds each of the top 10
# documents' relevance grade, discounted by its rank:
# $\mathrm{DCG@10} = \sum_{r=1}^{10} \dfrac{\mathrm{rel}_r}{\log_2(r + 1)}$
# (Järvelin and Kekäläinen, 2002). **nDCG@10** divides it by the DCG@10 of the *ideal*
# ranking — all judged documents of the query sorted by grade, whether the system found
# them or not — so 1 is perfect and 0 means nothing relevant in the top 10. This is the
# main retrieval score of BEIR and MTEB.
#
# **Exercise 1 (write a function).** `ndcg_at_10(ranked, relevance)`: `ranked` is a list
# of document ids, best first; `relevance` a dict document id -> grade (1, 2 or 3; a
# document not in it has grade 0). Return nDCG@10 as a float.

# %% tags=["exercise:lesson04-ex1"]
def ndcg_at_10(ranked, relevance):
    """nDCG@10 of one ranking (best first) against graded judgements {doc id: grade}."""
    ### BEGIN SOLUTION
    discount = 1 / np.log2(np.arange(2, 12))
    gains = np.array([relevance.get(d, 0) for d in ranked[:10]], dtype=float)
    ideal = np.sort(np.array(list(relevance.values()), dtype=float))[::-1][:10]
    return float((gains * discount[:len(gains)]).sum() / (ideal * discount[:len(ideal)]).sum())
    ### END SOLUTION


# %%
def package_ndcg(ranked, relevance):
    return ranking_metrics([ranked], {"q": relevance})["ndcg@10"]


def retrieved_only_ideal(ranked, relevance):  # a typical mistake, for the hint
    return package_ndcg(ranked, {d: g for d, g in relevance.items() if d in ranked[:10]})


def binary_gain(ranked, relevance):  # another one
    return package_ndcg(ranked, {d: 1 for d in relevance})


check_function("ndcg_at_10", package_ndcg, ranking_with_judgements, exercise="lesson04-ex1",
               mistakes={"your ideal ranking holds only the retrieved documents: the ideal DCG sorts *all* "
                         "judged documents of the query": retrieved_only_ideal,
                         "use the relevance grade as the gain, not 1 for every relevant document": binary_gain})

# %% [markdown]
# ## 2. Recall@k
#
# **Recall@k** is the fraction of the query's relevant documents found in the top `k`.
#
# **Exercise 2 (write a function).** `recall_at_k(ranked, relevance, k)` returns it as a
# float (a document is relevant when it is in `relevance`).

# %% tags=["exercise:lesson04-ex2"]
def recall_at_k(ranked, relevance, k):
    """Fraction of the relevant documents that appear in the top k of ``ranked``."""
    ### BEGIN SOLUTION
    return sum(d in relevance for d in ranked[:k]) / len(relevance)
    ### END SOLUTION


# %%
check_function("recall_at_k", lambda r, rel, k: ranking_metrics([r], {"q": rel}, k_values=(k,))[f"recall@{k}"],
               ranking_judgements_and_k, exercise="lesson04-ex2",
               mistakes={"you divided by k: that is precision@k; recall divides by the number of relevant documents":
                         lambda r, rel, k: sum(d in rel for d in r[:k]) / k})

# %% [markdown]
# ## 3. Dense retrieval
#
# Embed the queries and the documents (unit vectors), score every document by the inner
# product (the cosine) and keep the top 10: `exact_search(Q, X, k=10)` returns
# `(scores, row ids)`. `data.query_ids` / `data.query_texts` and `data.doc_ids` /
# `data.documents` are aligned lists; `data.qrels[query_id]` holds the judgements.
#
# **Exercise 3 (compute a number).** Compute `dense_ndcg`: the mean of your `ndcg_at_10`
# over all queries for all-MiniLM-L6-v2 (`enc.encode`). The first run embeds the
# documents (about a minute at full size); later runs read the vector cache.

# %%
enc = wb.load_encoder("minilm")

# %% tags=["exercise:lesson04-ex3"]
### BEGIN SOLUTION
Q, X = enc.encode(data.query_texts), enc.encode(data.documents)
dense_ids = exact_search(Q, X, k=10)[1]
dense_per_query = [ndcg_at_10([data.doc_ids[i] for i in row], data.qrels[q])
                   for q, row in zip(data.query_ids, dense_ids)]
dense_ndcg = float(np.mean(dense_per_query))
### END SOLUTION
dense_ndcg

# %%
dense_ref = evaluate_retrieval(enc, data, n_resamples=0, per_query=True)
check_number("dense_ndcg", dense_ref["ndcg@10"], exercise="lesson04-ex3", tol=1e-3,
             mistakes={"that is recall@10, not nDCG@10": dense_ref["recall@10"]})

# %% [markdown]
# ## 4. BM25
#
# BM25 scores a document by the query words it contains, weighting rare words more (inverse
# document frequency) and saturating repeated ones. `BM25().fit(documents)` indexes the
# corpus; `.search(query_texts, k=10)` returns `(scores, row ids)` like `exact_search`.
#
# **Exercise 4 (compute a number).** Compute `bm25_ndcg`, the mean nDCG@10 of BM25 over
# the same queries, with your `ndcg_at_10`.

# %% tags=["exercise:lesson04-ex4"]
### BEGIN SOLUTION
bm25_ids = BM25().fit(data.documents).search(data.query_texts, k=10)[1]
bm25_per_query = [ndcg_at_10([data.doc_ids[i] for i in row if i >= 0], data.qrels[q])
                  for q, row in zip(data.query_ids, bm25_ids)]
bm25_ndcg = float(np.mean(bm25_per_query))
### END SOLUTION
bm25_ndcg

# %%
bm25_ref = evaluate_retrieval(BM25(), data, n_resamples=0, per_query=True)
check_number("bm25_ndcg", bm25_ref["ndcg@10"], exercise="lesson04-ex4", tol=1e-3,
             mistakes={"that is recall@10, not nDCG@10": bm25_ref["recall@10"]})

# %% [markdown]
# ## 5. Where each one wins
#
# The averages hide the queries. Here are those where the two disagree most:

# %%
dense_q, bm25_q = dense_ref["per_query"]["ndcg@10"], bm25_ref["per_query"]["ndcg@10"]
print(f"dense {dense_ref['ndcg@10']:.3f}, BM25 {bm25_ref['ndcg@10']:.3f}; "
      f"dense better on {int((dense_q > bm25_q).sum())} queries, BM25 on {int((bm25_q > dense_q).sum())}")
for title, order in (("BM25 wins", np.argsort(dense_q - bm25_q)[:3]), ("dense wins", np.argsort(bm25_q - dense_q)[:3])):
    print(f"\n== {title}")
    for i in order:
        q = data.query_ids[i]
        print(f"dense {dense_q[i]:.2f}  BM25 {bm25_q[i]:.2f}  {data.queries[q][:110]!r}")

# %% [markdown]
# **Exercise 5 (explain a finding).** In three to six sentences: which model wins on
# average here, on what kind of query does the other win, and why? Use two queries from
# the table above as evidence, and say what you would try to get the best of both.
#
# <!-- BEGIN RUBRIC -->
# **Rubric (4 points).**
# - 1: states the averages correctly (for this subset dense beats BM25 on average; say by
#   how much) and that the per-query picture is mixed.
# - 1: BM25 wins where the query shares rare exact tokens with the code (identifiers,
#   parameter names, module-specific words): inverse document frequency makes those
#   matches decisive, and the dense model, trained on natural-language sentence pairs,
#   blurs them.
# - 1: dense wins where the docstring paraphrases what the code does without its words
#   (synonyms, descriptions of behaviour), which term matching cannot bridge.
# - 1: proposes a hybrid (score fusion, e.g. reciprocal-rank fusion of the two rankings, or
#   BM25 candidates re-ranked by the dense model), or a code-trained embedder.
# <!-- END RUBRIC -->

# %% tags=["exercise:lesson04-ex5"]
### BEGIN SOLUTION
explanation = """On average the dense model beats BM25 on this subset, but per query the picture is
mixed. BM25 wins when the docstring shares rare, exact tokens with the code, such as a parameter or
function name: inverse document frequency makes one such match decisive, while MiniLM, trained on
natural-language sentence pairs, blurs identifiers into general meaning. The dense model wins when
the docstring describes what the code does in words that do not appear in it, a paraphrase that
term matching cannot bridge. To get the best of both I would fuse the two rankings, for example with
reciprocal-rank fusion, or re-rank BM25's candidates with the dense model."""
### END SOLUTION

# %%
check_text("explanation", exercise="lesson04-ex5", min_words=40)

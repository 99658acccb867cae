"""Binary Paragraph Vectors and the real-binary re-ranking (Grzegorczyk's thesis, 2019; Grzegorczyk and Kurdziel, 2017).

Reruns the orderings the paper's retrieval tables show, on same-department retrieval of
clothing reviews: longer codes retrieve better than shorter ones, re-ranking a Hamming
shortlist with the real-binary model's real vectors beats the bits alone, and learned
codes beat data-oblivious hashing of the same model family's vectors. The paper's own
numbers (20 Newsgroups, RCV1, English Wikipedia) were not available to us as text, so
the published column is empty and the verdict compares the signs of the claimed gaps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..registry import Outcome, Paper, Reproduction
from ..verdicts import decide, same_sign

SEED = 0


def run(smoke: bool) -> Outcome:
    import plotly.express as px  # noqa: PLC0415

    from ... import datasets  # noqa: PLC0415
    from ...learn.binary_pv import BinaryParagraphVectors  # noqa: PLC0415
    from ...learn.corpus import tokenize_texts  # noqa: PLC0415
    from ...learn.hashing import MedianThreshold  # noqa: PLC0415
    from ...learn.label_retrieval import compare_codes  # noqa: PLC0415
    from ...learn.static_text import train_static  # noqa: PLC0415

    n_corpus, n_queries, epochs = (300, 60, 2) if smoke else (4000, 400, 5)
    ds = datasets.load("clothing-reviews")
    dept = ds.attributes["department"].astype(str).to_numpy()
    pick = np.random.default_rng(SEED).permutation(len(ds.texts))[: n_corpus + n_queries]
    docs = tokenize_texts([ds.texts[i] for i in pick])
    Dc, Dq, Lc, Lq = docs[:n_corpus], docs[n_corpus:], dept[pick][:n_corpus], dept[pick][n_corpus:]
    systems = {}
    for bits in (32, 128):
        m = BinaryParagraphVectors(bits=bits, epochs=epochs, seed=SEED).fit(Dc)
        systems[f"binary PV {bits} bits"] = {"query_bits": m.infer(Dq)[0], "corpus_bits": m.codes_}
    rb = BinaryParagraphVectors(bits=32, real_dim=32, epochs=epochs, seed=SEED).fit(Dc)
    qb, qr = rb.infer(Dq)
    systems["real-binary PV 32 bits, bits only"] = {"query_bits": qb, "corpus_bits": rb.codes_}
    systems["real-binary PV 32 bits + 32-d re-rank"] = {"query_bits": qb, "corpus_bits": rb.codes_,
                                                        "rerank": (qr, rb.real_)}
    pv = train_static(Dc, "pv-dbow", dim=32, min_count=2, epochs=2 * epochs, seed=SEED)
    cut = MedianThreshold().fit(pv.doc_vectors)
    systems["PV-DBOW 32-d, median bits"] = {"query_bits": cut.transform(pv.infer_documents(Dq)),
                                           "corpus_bits": cut.transform(pv.doc_vectors)}
    res = compare_codes(systems, Lq, Lc, k=10, k_values=(10,)).set_index("system")
    ndcg = res["ndcg@10"]
    gaps = {
        "128 bits - 32 bits": ndcg["binary PV 128 bits"] - ndcg["binary PV 32 bits"],
        "re-ranked - bits only": ndcg["real-binary PV 32 bits + 32-d re-rank"]
        - ndcg["real-binary PV 32 bits, bits only"],
        "binary PV 32 - binarised PV-DBOW 32": ndcg["binary PV 32 bits"] - ndcg["PV-DBOW 32-d, median bits"],
    }
    table = pd.DataFrame(
        [{"quantity": "ndcg@10", "setting": name, "ours": float(v), "theirs": np.nan, "unit": "fraction",
          "source": ""} for name, v in ndcg.items()]
        + [{"quantity": "ndcg@10 gap", "setting": name, "ours": float(v), "theirs": np.nan, "unit": "fraction",
            "source": ""} for name, v in gaps.items()])
    direction = same_sign(list(gaps.values()), [1.0] * len(gaps))
    verdict, reason = decide(None, direction)
    fig = px.bar(res.reset_index(), x="system", y="ndcg@10", title="Same-department retrieval of clothing reviews")
    return Outcome(table, verdict, f"{reason} (claimed gaps all positive)", fig, (SEED,),
                   {"n_corpus": n_corpus, "n_queries": n_queries, "precision@10": res["precision@10"].to_dict()})


ENTRY = Reproduction(
    name="binary_pv",
    paper=Paper("Vector representations of text data in deep learning", "Karol Grzegorczyk", 2019, "1901.01695"),
    claim="Binary Paragraph Vectors learn short codes for retrieval: longer codes retrieve better, a short real "
          "vector re-ranking a Hamming shortlist (Real-Binary PV) beats the bits alone, and learned codes beat "
          "binarised real-valued paragraph vectors of the same length.",
    rule="direction: every claimed gap in nDCG@10 (same-label relevance) must be positive (verdicts.same_sign "
         "against +1); no published number is compared, so 'reproduced' cannot be reached.",
    scale="Clothing reviews (department labels) instead of 20 Newsgroups / RCV1 / Wikipedia; a few thousand "
          "documents, five epochs, negative sampling instead of hierarchical softmax; only orderings compare.",
    run=run,
    published=None,
    minutes=6.0,
)

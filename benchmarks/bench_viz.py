"""Visual exploration benchmark: the Explorer on 20,000 real vectors, beside plain scikit-learn /
umap-learn + plotly express doing the same work in the same run.

Data: ``--n`` evenly spaced reviews of the clothing-reviews set embedded by ``--model``
(MiniLM by default; the vectors are encoded once, timed, and then served by the vector
cache, as in a notebook session). Timed, each from a fresh Explorer with an empty
projection cache:

* time to first figure with PCA and with UMAP (after a warm-up that compiles UMAP's numba
  code, paid once per session): load the points, read the vectors,
  post-process, project (with a fresh seed, so nothing comes from the projection cache),
  colour, draw, and the diagnostics table;
* a colour-by change to an attribute (department), to ``k-occurrence`` (builds the exact
  kNN graph on all points, once) and back to the label: no vectors and no projection are
  recomputed (the stage counters are printed to show it).

Peers: ``sklearn.decomposition.PCA`` / ``umap.UMAP`` on the same vectors followed by
``plotly.express.scatter(render_mode="webgl")``; for a recolour, a new ``px.scatter``;
for k-occurrence, ``sklearn.neighbors.NearestNeighbors``. Peak memory is the resident
high-water mark (``ru_maxrss``) of the process. Wall times on a shared machine are noisy:
read the ratios.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

from timing import timed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--model", default="minilm")
    ap.add_argument("--data", default="clothing-reviews")
    ap.add_argument("--attribute", default="department", help="attribute column for the colour-by change")
    ap.add_argument("--skip-umap", action="store_true")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    os.environ.setdefault("WB_SMOKE", "0")

    import numpy as np
    import plotly.express as px
    from sklearn.decomposition import PCA
    from sklearn.neighbors import NearestNeighbors

    import workbench as wb
    from workbench.viz import pipeline
    from workbench.viz.explorer import Explorer

    enc = wb.load_encoder(args.model)
    points = pipeline.load_points(args.data, args.n)
    raw, t_encode = timed(lambda: pipeline.embed_points(enc, points.texts))
    X = pipeline.postprocess(raw, "normalize")[0]
    print(f"{len(points):,} {args.data} texts, {args.model} {X.shape[1]}-d; vectors in {t_encode:.1f} s "
          "(0 when already cached)")
    rows = []

    methods = ["pca"] + ([] if args.skip_umap else ["umap"])
    if not args.skip_umap:  # numba compiles UMAP once per process; a notebook pays it once per session
        from workbench.viz.projection import project

        # more than 4,096 rows, so that the approximate-kNN (pynndescent) path is compiled too
        warm = np.random.default_rng(0).normal(size=(5000, 8))
        _, t_jit = timed(lambda: project(warm, "umap", cache=False))
        print(f"UMAP warm-up (numba compilation) on 5,000 points: {t_jit:.1f} s, before any timing")
    stages = []
    explorer = None
    for method in methods:
        seed = time.time_ns() % 100_000  # a seed not seen before: the projection is computed, not read
        ex, t_wb = timed(lambda: Explorer(args.data, model=enc, models=[enc], max_points=args.n, method=method,
                                          colour_by="label", seed=seed))
        if ex.error.value:
            raise SystemExit(f"Explorer failed: {ex.error.value}")
        labels = points.labels.astype(str)

        def peer():
            if method == "pca":
                coords = PCA(n_components=2, random_state=seed).fit_transform(X)
            else:
                import umap

                coords = umap.UMAP(random_state=seed, n_jobs=1).fit_transform(PCA(50, random_state=0).fit_transform(X))
            return px.scatter(x=coords[:, 0], y=coords[:, 1], color=labels, hover_name=points.texts,
                              render_mode="webgl")

        _, t_peer = timed(peer)
        rows.append((f"first figure, {method.upper()}", t_wb, t_peer, "PCA/UMAP + px.scatter"))
        stages.append((method, dict(ex.timings)))
        explorer = ex

    ex = explorer
    before = dict(ex.counts)
    coords = ex.coords
    attr = ex.points.attributes[args.attribute].astype(str).to_numpy()
    _, t_wb = timed(lambda: setattr(ex.controls["colour_by"], "value", args.attribute))
    _, t_peer = timed(lambda: px.scatter(x=coords[:, 0], y=coords[:, 1], color=attr, hover_name=points.texts,
                                         render_mode="webgl"))
    rows.append((f"colour by {args.attribute}", t_wb, t_peer, "new px.scatter"))
    _, t_wb = timed(lambda: setattr(ex.controls["colour_by"], "value", "k-occurrence"))

    def peer_kocc():
        ids = NearestNeighbors(n_neighbors=11).fit(X).kneighbors(X, return_distance=False)[:, 1:]
        counts = np.bincount(ids.ravel(), minlength=len(X))
        return px.scatter(x=coords[:, 0], y=coords[:, 1], color=counts, render_mode="webgl")

    _, t_peer = timed(peer_kocc)
    rows.append(("colour by k-occurrence (first)", t_wb, t_peer, "NearestNeighbors + px.scatter"))
    _, t_wb = timed(lambda: setattr(ex.controls["colour_by"], "value", "label"))
    _, t_peer = timed(lambda: px.scatter(x=coords[:, 0], y=coords[:, 1], color=points.labels.astype(str),
                                         hover_name=points.texts, render_mode="webgl"))
    rows.append(("colour back to label", t_wb, t_peer, "new px.scatter"))
    after = dict(ex.counts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2

    print(f"{'step':<34}{'workbench s':>12}{'peer s':>10}{'ratio':>8}  peer")
    for name, a, b, what in rows:
        print(f"{name:<34}{a:>12.2f}{b:>10.2f}{a / b:>8.2f}  {what}")
    for method, timing in stages:
        print(f"first figure, {method.upper()}, by stage (s): " + ", ".join(f"{k} {v:.2f}" for k, v in timing.items()))
    print(f"stage runs during the three colour changes: "
          f"{ {k: after[k] - before[k] for k in ('vectors', 'post', 'project', 'colour')} }")
    print(f"peak memory (ru_maxrss): {peak:.2f} GB")


if __name__ == "__main__":
    main()

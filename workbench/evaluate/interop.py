"""Running MTEB on a workbench configuration: an adapter to the ``mteb`` encode protocol.

``mteb`` calls ``model.encode(sentences, task_name=..., prompt_type=..., batch_size=...)``
(``prompt_type`` is ``"query"`` or ``"document"`` on retrieval tasks) and expects a
``(n, d)`` array. :class:`MTEBModel` wraps an :class:`workbench.Encoder` with fixed
encode options (pooling, layer, precision, prompts) and answers that call, so a user who
is online can run any MTEB task on any workbench configuration::

    import mteb
    model = MTEBModel(wb.load_encoder("minilm"), pooling="cls")
    mteb.MTEB(tasks=mteb.get_tasks(tasks=["STSBenchmark"])).run(model)

Newer ``mteb`` releases pass a data loader of batches instead of a list; the adapter
accepts both. Left out: model metadata cards and result upload; no hub is reached here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..options import EncodeOptions


class MTEBModel:
    """An encoder with fixed options, callable the way ``mteb`` calls models.

    Parameters
    ----------
    encoder : Encoder
        A loaded workbench encoder.
    query_prompt, doc_prompt : str, optional
        Prompts used when ``mteb`` says ``prompt_type="query"`` / ``"document"``
        (otherwise ``prompt`` from the options, if any).
    options : EncodeOptions or dict, optional
        Fixed encode options (pooling, layer, precision, prompt, ...).
    **overrides
        Fields of ``EncodeOptions`` on top of ``options``; checked here, before mteb runs.

    Examples
    --------
    >>> import workbench as wb
    >>> model = MTEBModel(wb.load_encoder("glove-50d"), query_prompt="")
    >>> model.encode(["a cat", "a dog"], task_name="STSBenchmark", prompt_type="query").shape
    (2, 50)
    """

    def __init__(self, encoder, options: EncodeOptions | dict | None = None, *, query_prompt: str | None = None,
                 doc_prompt: str | None = None, **overrides: Any):
        self.encoder = encoder
        self.options = EncodeOptions.from_any(options, **overrides)
        # None: use the options' prompt; "" on a side: no prompt there
        self.query_prompt = query_prompt and EncodeOptions(prompt=query_prompt).prompt
        self.doc_prompt = doc_prompt and EncodeOptions(prompt=doc_prompt).prompt
        if hasattr(encoder, "resolve"):
            encoder.resolve(self.options)

    def __repr__(self) -> str:
        return f"MTEBModel({self.encoder!r}, {self.options})"

    def encode(self, sentences, *, task_name: str | None = None, prompt_type: Any = None,
               batch_size: int | None = None, **mteb_kwargs: Any) -> np.ndarray:
        """Embed ``sentences`` (a list of str, or batches of ``{"text": [...]}``) -> (n, d) float32."""
        texts = _flatten(sentences)
        opts = self.options
        kind = getattr(prompt_type, "value", prompt_type)  # mteb passes an enum or a string
        if kind == "query" and self.query_prompt is not None:
            opts = opts.replace(prompt=self.query_prompt)
        elif kind in ("document", "passage") and self.doc_prompt is not None:
            opts = opts.replace(prompt=self.doc_prompt)
        run = {"batch_size": int(batch_size)} if batch_size else {}
        return self.encoder.encode(texts, options=opts, show_progress=mteb_kwargs.get("show_progress_bar"), **run)


def _flatten(sentences) -> list[str]:
    if isinstance(sentences, str):
        return [sentences]
    out: list[str] = []
    for item in sentences:
        if isinstance(item, dict):  # a batch from a data loader
            out.extend(item["text"])
        else:
            out.append(item)
    return out

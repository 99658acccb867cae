"""Instructions and in-context examples for embedding prompts.

Instruction-tuned embedders (E5-mistral, NV-Embed) put a task description in front of
the query -- ``Instruct: <task>\\nQuery: <text>`` -- and leave documents bare;
:func:`instruction` gives that (query, document) pair for a task type or a packaged
data set. :func:`fewshot_prompt` puts worked (query, relevant document) examples
before the query, as in-context-learning embedders do, and :func:`split_fewshot`
draws those examples from a retrieval set's own queries and removes them from it.
Every result is an ordinary prompt string (a template holding ``{text}``), so it enters
the vector cache key like any prompt. Left out: example selection by similarity.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

#: task type -> a generic task description (query side; STS, being symmetric, puts it on both sides)
TASK_INSTRUCTIONS: dict[str, str] = {
    "sts": "Retrieve semantically similar text",
    "retrieval": "Given a query, retrieve passages relevant to it",
    "classification": "Classify the given text",
}
#: packaged data set -> a task description fitted to it
DATA_INSTRUCTIONS: dict[str, str] = {
    "lee-pairs": "Given a news article, retrieve news articles on the same subject",
    "python-docstrings": "Given the docstring of a Python function, retrieve the function's code",
    "rotten-tomatoes-synopsis": "Given a film's plot synopsis, retrieve critics' reviews of that film",
    "pang-lee-polarity": "Classify the sentiment of a movie review as positive or negative",
    "rotten-tomatoes": "Classify a movie review as fresh or rotten",
}


def instruction(task: str, data: str | None = None, description: str | None = None) -> tuple[str, str | None]:
    """A (query prompt, document prompt) pair in the ``Instruct: ...\\nQuery: {text}`` form.

    The description is ``description``, else the one for ``data`` in
    ``DATA_INSTRUCTIONS``, else the task's in ``TASK_INSTRUCTIONS``. Documents get no
    instruction, except in STS, whose two sides are alike.

    Examples
    --------
    >>> q, d = instruction("retrieval", "python-docstrings")
    >>> print(q.replace("{text}", "Return the sum."))
    Instruct: Given the docstring of a Python function, retrieve the function's code
    Query: Return the sum.
    >>> d is None
    True
    """
    if task not in TASK_INSTRUCTIONS:
        raise ValueError(f"no instruction for task {task!r}; valid: {', '.join(TASK_INSTRUCTIONS)}")
    text = description or DATA_INSTRUCTIONS.get(data or "", TASK_INSTRUCTIONS[task])
    query = f"Instruct: {text}\nQuery: {{text}}"
    return query, (query if task == "sts" else None)


def _clip(text: str, max_words: int) -> str:
    words = text.split()
    clipped = " ".join(words[:max_words]) + (" ..." if len(words) > max_words else "")
    return clipped.replace("{text}", "(text)")  # an example must not hold the placeholder


def fewshot_prompt(examples: Sequence[tuple[str, str]], description: str | None = None, *,
                   max_words: int = 60) -> str:
    """A query template that shows in-context (query, relevant document) examples first.

    Each example is clipped to ``max_words`` words per side; the real query follows in
    the same layout, so a last-token embedder sees the task solved before it embeds.

    Examples
    --------
    >>> p = fewshot_prompt([("sum of two numbers", "def add(a, b): return a + b")], "Find the code")
    >>> print(p)
    Instruct: Find the code
    Query: sum of two numbers
    Response: def add(a, b): return a + b
    <BLANKLINE>
    Query: {text}
    """
    if not examples:
        raise ValueError("fewshot_prompt needs at least one (query, document) example")
    for i, ex in enumerate(examples):
        if not (isinstance(ex, (tuple, list)) and len(ex) == 2 and all(isinstance(t, str) for t in ex)):
            raise ValueError(f"examples[{i}] must be a (query, document) pair of strings, got {ex!r}")
    head = f"Instruct: {description}\n" if description else ""
    shots = [f"Query: {_clip(q, max_words)}\nResponse: {_clip(d, max_words)}" for q, d in examples]
    return head + "\n\n".join(shots) + "\n\nQuery: {text}"


def split_fewshot(dataset, k: int = 2, seed: int = 0):
    """Draw ``k`` judged queries as in-context examples; return them and the set without them.

    Returns ``(examples, rest)``: ``examples`` is a list of (query text, text of its most
    relevant document); ``rest`` keeps the whole corpus but none of the example queries,
    so no query is evaluated with its own answer in the prompt.
    """
    judged = [q for q in dataset.query_ids if dataset.qrels.get(q)]
    if not 1 <= k < len(judged):
        raise ValueError(f"k must be between 1 and {len(judged) - 1} (judged queries minus one), got {k}")
    picked = [judged[i] for i in sorted(np.random.default_rng(seed).permutation(len(judged))[:k])]
    examples = []
    for q in picked:
        doc = max(dataset.qrels[q].items(), key=lambda item: (item[1], item[0]))[0]
        examples.append((dataset.queries[q], dataset.corpus[doc]))
    rest = dataset.select_queries([q for q in dataset.query_ids if q not in set(picked)])
    return examples, replace(rest, name=f"{dataset.name}[-{k} shots]")

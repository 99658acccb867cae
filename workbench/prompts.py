"""Prompts: named templates and how a prompt turns into the text a model reads.

A prompt is a prefix (``"query: "``), a template holding ``{text}`` (PromptEOL's
``'This sentence : "{text}" means in one word:"'``) or the name of a template in
``PROMPTS``. Query/document prompt pairs per task and few-shot examples build on this
in ``workbench.experiments.prompts``. Left out: chat templates of instruction-tuned
decoders.
"""

from __future__ import annotations

import re

# named prompt templates; ``prompt="prompteol"`` picks one by name
PROMPTS = {
    # PromptEOL (Jiang et al., 2023): squeeze the meaning into the next token, then take the last state
    "prompteol": 'This sentence : "{text}" means in one word:"',
}


def check_prompt(prompt: str | None) -> str | None:
    """Resolve a ``PROMPTS`` name and validate: a prompt with any ``{...}`` placeholder must hold ``{text}``.

    Examples
    --------
    >>> check_prompt("Sentence: {sentence}")
    Traceback (most recent call last):
    ...
    ValueError: prompt template 'Sentence: {sentence}' has no {text} placeholder; ...
    """
    if not prompt:
        return None
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str (a prefix, a template with {{text}}, a PROMPTS name), got {prompt!r}")
    prompt = PROMPTS.get(prompt, prompt)
    if "{text}" not in prompt and re.search(r"\{[^{}]*\}", prompt):
        raise ValueError(f"prompt template {prompt!r} has no {{text}} placeholder; put {{text}} where the text "
                         f"goes (a prompt without braces is a prefix; named templates: {', '.join(PROMPTS)})")
    return prompt


def apply_prompt(texts: list[str], prompt: str | None) -> list[str]:
    """Prefix each text with ``prompt``, or fill a template holding ``{text}``.

    ``prompt`` may also name a template in ``PROMPTS``.

    Examples
    --------
    >>> apply_prompt(["cats"], 'This sentence : "{text}" means in one word:"')
    ['This sentence : "cats" means in one word:"']
    >>> apply_prompt(["cats"], "query: ")
    ['query: cats']
    >>> apply_prompt(["cats"], "prompteol") == apply_prompt(["cats"], PROMPTS["prompteol"])
    True
    """
    prompt = check_prompt(prompt)
    if not prompt:
        return texts
    if "{text}" in prompt:
        return [prompt.replace("{text}", t) for t in texts]
    return [prompt + t for t in texts]


def prompt_token_count(tokenizer, prompt: str | None) -> int:
    """How many leading tokens of a prompted text belong to the prompt (special tokens in front included).

    Counted as sentence-transformers counts it: the prompt (the part before ``{text}``
    of a template) tokenized alone, less a trailing special token.

    Examples
    --------
    >>> class Tok:
    ...     all_special_ids = [101, 102]
    ...     def __call__(self, text, add_special_tokens=True):
    ...         return {"input_ids": [101] + [7] * len(text.split()) + [102]}
    >>> prompt_token_count(Tok(), "query : ")
    3
    """
    prompt = check_prompt(prompt)
    if not prompt:
        return 0
    ids = tokenizer(prompt.split("{text}")[0], add_special_tokens=True)["input_ids"]
    return len(ids) - int(bool(ids) and ids[-1] in tokenizer.all_special_ids)

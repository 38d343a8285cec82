"""Any sentence-transformers model: ``"sentence-transformers:<hub name or folder>"``.

torch and sentence-transformers are imported only when the model is first used,
so importing :mod:`isa_match` stays cheap. Install them with
``pip install "isa-match[st]"``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from .base import (
    EncoderLoadError,
    EncoderUnavailableError,
    FloatMatrix,
    Role,
    check_role,
    check_texts,
    l2_normalise,
    usable_cores,
)

PREFIX = "sentence-transformers"
# E5 models were trained with these prefixes and lose quality without them.
E5_PREFIXES: dict[Role, str] = {"query": "query: ", "document": "passage: "}
_E5_NAME = re.compile(r"(?:^|[/_\-])e5(?:[/_\-.]|$)", re.IGNORECASE)
_PROBE_TIMEOUT = 3.0
# Phrases of network failures in huggingface_hub/transformers errors. Not "resolve": hub
# URLs contain "/resolve/main/", so a plain 404 would look like a network failure.
_NETWORK_HINTS = (
    "couldn't connect",
    "could not connect",
    "offline mode",
    "connection error",
    "name or service not known",
    "temporary failure in name resolution",
)


def _looks_like_path(model: str) -> bool:
    return model.startswith(("/", ".", "~")) or Path(model).expanduser().is_dir()


def _folder_fingerprint(folder: Path) -> str:
    """A short digest of the folder's file names and sizes (cheap, no file reads)."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder).as_posix()}\0{path.stat().st_size}\0".encode())
    return digest.hexdigest()


def _hub_unreachable() -> str | None:
    """Why the hub cannot be reached, or None when it can (or huggingface_hub is missing).

    huggingface_hub retries a dead connection for more than a minute; a quick probe
    lets a machine without network fail in seconds. In offline mode nothing is sent.
    """
    try:
        from huggingface_hub import constants
    except ImportError:
        return None
    if constants.HF_HUB_OFFLINE:
        return "HF_HUB_OFFLINE is set"
    host = urlsplit(constants.ENDPOINT).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=_PROBE_TIMEOUT).close()
    except OSError as exc:
        return f"cannot connect to {host}: {exc}"
    return None


def _is_network_failure(exc: BaseException) -> bool:
    """True when a hub load failed for lack of network (or offline mode), not a bad name."""
    try:
        from huggingface_hub import constants

        if constants.HF_HUB_OFFLINE:
            return True
    except ImportError:
        pass
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionError | TimeoutError):
            return True
        if any(hint in str(seen).lower() for hint in _NETWORK_HINTS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class SentenceTransformerEncoder:
    """A sentence-transformers model behind the :class:`~isa_match.embed.Encoder` protocol.

    Roles map onto the model's configured prompts: ``prompt_name="query"`` or
    ``"document"`` (or ``"passage"``) when the model defines a non-empty prompt
    of that name; otherwise, for a model whose name marks it as E5, the
    ``"query: "``/``"passage: "`` prefixes it was trained with. Watch for
    language bias when using a model across German and Chinese: multilingual-e5
    ranks same-language texts first far more often than USE-m3 does.

    Args:
        model: A local model folder or a Hugging Face hub name.
        device: torch device, ``"cpu"`` by default.
        threads: torch intra-op threads; default: the usable cores.
        batch_size: Default encode batch size.
        prefixes: Explicit ``(query prefix, document prefix)``; overrides prompts.
    """

    def __init__(
        self,
        model: str,
        *,
        device: str = "cpu",
        threads: int | None = None,
        batch_size: int = 32,
        prefixes: tuple[str, str] | None = None,
    ) -> None:
        if not model:
            raise ValueError("sentence-transformers encoder needs a model name or folder")
        self.is_local = _looks_like_path(model)
        self.model_ref = str(Path(model).expanduser().resolve()) if self.is_local else model
        self.name = f"{PREFIX}:{self.model_ref}"
        self.device = device
        self.threads = threads
        self.batch_size = batch_size
        self.prefixes = prefixes
        self._lock = threading.Lock()
        self._model: Any = None

    @functools.cached_property
    def version(self) -> str:
        """sentence-transformers version plus a fingerprint of the model files.

        For a folder: a digest of its file names and sizes. For a hub name: the
        commit of the cached snapshot (this loads the model).
        """
        from importlib.metadata import PackageNotFoundError, version

        try:
            pkg = version("sentence-transformers")
        except PackageNotFoundError:
            pkg = "unknown"
        if self.is_local:
            return f"st-{pkg}+{_folder_fingerprint(Path(self.model_ref))}"
        self._load()  # a hub model is in the local cache only once loaded
        return f"st-{pkg}+{self._hub_revision()}"

    def _hub_revision(self) -> str:
        """Commit of the cached hub snapshot, if any (looked up offline)."""
        try:
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(self.model_ref, local_files_only=True)).name[:12]
        except Exception:  # not cached or hub client missing: fall back to the name only
            return "hub"

    @property
    def dim(self) -> int:
        """Vector length (loads the model)."""
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    def warmup(self) -> None:
        """Load the model now."""
        self._load()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._load_model()
            return self._model

    def _load_model(self) -> Any:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            missing = exc.name or "sentence-transformers"
            raise EncoderUnavailableError(self.name, "st", missing) from exc
        # torch may count the host's cores rather than the ones this container may use
        torch.set_num_threads(self.threads or min(torch.get_num_threads(), usable_cores()))
        if self.is_local:
            folder = Path(self.model_ref)
            if not folder.is_dir():
                raise EncoderLoadError(
                    f"sentence-transformers model folder {folder} does not exist"
                )
            try:
                return SentenceTransformer(str(folder), device=self.device, local_files_only=True)
            except Exception as exc:
                raise EncoderLoadError(
                    f"could not load sentence-transformers model from folder {folder}: {exc}"
                ) from exc
        try:  # the local Hugging Face cache first: no network traffic at all
            return SentenceTransformer(self.model_ref, device=self.device, local_files_only=True)
        except Exception:
            pass
        unreachable = _hub_unreachable()
        if unreachable is not None:
            raise EncoderLoadError(
                f"could not load sentence-transformers model {self.model_ref!r} from the "
                f"Hugging Face hub: no network access ({unreachable}) and it is not in the "
                f"local cache; pass a local folder instead, e.g. '{PREFIX}:/path/to/model'"
            )
        try:
            return SentenceTransformer(self.model_ref, device=self.device)
        except Exception as exc:
            if _is_network_failure(exc):
                raise EncoderLoadError(
                    f"could not load sentence-transformers model {self.model_ref!r} from the "
                    "Hugging Face hub: no network access and it is not in the local cache; "
                    f"pass a local folder instead, e.g. '{PREFIX}:/path/to/model'"
                ) from exc
            raise EncoderLoadError(
                f"could not load sentence-transformers model {self.model_ref!r}: {exc}"
            ) from exc

    def _prompt_kwargs(self, model: Any, role: Role) -> dict[str, str]:
        if self.prefixes is not None:
            return {"prompt": self.prefixes[0] if role == "query" else self.prefixes[1]}
        # sentence-transformers >= 5 fills in empty "query"/"document" prompts by default
        configured = getattr(model, "prompts", None) or {}
        prompts = {key: value for key, value in configured.items() if value}
        if role in prompts:
            return {"prompt_name": role}
        if role == "document" and "passage" in prompts:
            return {"prompt_name": "passage"}
        if not prompts and _E5_NAME.search(Path(self.model_ref).name or self.model_ref):
            return {"prompt": E5_PREFIXES[role]}
        return {}

    def encode(
        self,
        texts: Sequence[str],
        role: Role = "document",
        *,
        batch_size: int | None = None,
        show_progress: bool = False,
    ) -> FloatMatrix:
        """Encode texts; see :meth:`isa_match.embed.Encoder.encode`."""
        check_role(role)
        items = check_texts(texts)
        model = self._load()
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            items,
            batch_size=batch_size or self.batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
            **self._prompt_kwargs(model, role),
        )
        return l2_normalise(vectors)

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder({self.model_ref!r}, device={self.device!r})"

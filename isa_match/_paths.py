"""Where the project's shipped data lives, in a source checkout and in a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(*parts: str) -> Path:
    """Path of a shipped data folder such as ``data_dir("reference")``.

    A wheel carries ``data/`` as ``isa_match/_data/``; a source checkout (and an
    editable install) reads the repository's ``data/`` folder directly.
    """
    bundled = _PACKAGE / "_data" / Path(*parts)
    if bundled.exists():
        return bundled
    return _PACKAGE.parent / "data" / Path(*parts)


def models_dir() -> Path:
    """The folder of committed configs and learned weights (``models/``)."""
    bundled = _PACKAGE / "_data" / "models"
    if bundled.exists():
        return bundled
    return _PACKAGE.parent / "models"

from __future__ import annotations

import numpy as np
import pytest

from isa_match.embed.hashing import HashingEncoder


def test_shared_words_are_closer_than_unrelated() -> None:
    out = HashingEncoder().encode(
        ["Lieferant für Aluminiumguss", "Aluminiumguss Lieferant gesucht", "寻找物流仓库"]
    )
    assert float(out[0] @ out[1]) > float(out[0] @ out[2]) + 0.3


def test_case_and_width_insensitive() -> None:
    enc = HashingEncoder()
    np.testing.assert_allclose(enc.encode(["ＡＢＣ Test"]), enc.encode(["abc test"]), atol=1e-7)


def test_dim_too_small() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        HashingEncoder(dim=4)

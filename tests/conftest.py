"""Suite-wide pytest configuration."""

from __future__ import annotations

import os

# One BLAS/OpenMP thread per process unless a test asks for more: on the 2-core CI machine,
# oversubscribed BLAS threads make small encodes 10-80x slower (see shared PERFORMANCE.md).
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Tests never reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

"""Seeds derived from (seed, stream, index): deterministic across processes and restarts.

Every random draw of a strategy comes from a generator keyed by the sweep seed, a stream
number and a counter (the n-th new configuration, the n-th Optuna proposal ...). Nothing
depends on the order of earlier draws, so a strategy rebuilt from its stored state makes
the same draws as one that never stopped, and there is no generator state to store.
Python's ``hash()`` of strings is never used: it changes between processes (Optuna #3083).
"""

from __future__ import annotations

import numpy as np

# One stream per use, so two uses never share draws.
STREAM_RANDOM = 1
STREAM_HALVING = 2
STREAM_HYPERBAND = 3
STREAM_BOHB_COIN = 4
STREAM_BOHB_TPE = 5
STREAM_BAYES = 6
STREAM_COARSE = 7
STREAM_ASHA = 8
STREAM_ASHA_COIN = 9
STREAM_ASHA_TPE = 10


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    """A generator for ``(seed, *keys)``; equal keys give equal draws in any process."""
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


def seed_for(seed: int, *keys: int) -> int:
    """A 32-bit seed for ``(seed, *keys)``, for libraries that take an int (Optuna)."""
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0])

"""Standardization statistics of the train split, computed a few MB of rows at a time.

``(X - mean) / std`` per feature, or per channel for images; constant features get
std 1. Both the in-memory splits and the streamed ones use this module, over the same
blocks of rows, so the two paths scale every value identically. On data of one block
(under ``CHUNK_BYTES``) it is numpy's own ``mean`` and ``std`` of the whole split.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

CHUNK_BYTES = 4 * 2**20  # of float32 rows; the float64 deviations take twice that


def train_statistics(X, rows: np.ndarray | None,
                     image_shape: tuple[int, int, int] | None) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std (float32, one per feature) of ``X[rows]`` (all of ``X`` for None).

    ``X`` is a float32 array or anything that gives float32 rows for ``X[row_numbers]``
    (``MappedRows``). Two passes, as numpy's ``std`` makes: the mean, then the squared
    deviations from it.

    Images share one mean and std per channel, repeated per pixel: z-scoring each pixel
    on its own would turn a border pixel that is ink in two training images into values
    of 30 and more, and would weigh the same stroke differently by where it falls.
    """
    count = 0
    total = low = high = None
    for block in _column_blocks(X, rows, image_shape):
        count += len(block)
        block_sum = block.sum(axis=0, dtype=np.float64)
        total = block_sum if total is None else total + block_sum
        low = block.min(axis=0) if low is None else np.minimum(low, block.min(axis=0))
        high = block.max(axis=0) if high is None else np.maximum(high, block.max(axis=0))
    mean = total / count
    squares = None
    for block in _column_blocks(X, rows, image_shape):
        deviation = np.subtract(block, mean, dtype=np.float64)
        block_squares = np.square(deviation, out=deviation).sum(axis=0, dtype=np.float64)
        squares = block_squares if squares is None else squares + block_squares
    std = np.sqrt(squares / count)
    # Compare values, not std against a tolerance: a constant column's float std can be
    # a tiny non-zero number that would blow dev/test values up.
    # A spread below float32's smallest normal number is below what the model computes
    # in: such a column is constant to it (scaling by it overflowed to inf).
    std[(high == low) | (std < np.finfo(np.float32).tiny)] = 1.0
    if image_shape is not None:
        pixels = X.shape[1] // image_shape[0]
        mean, std = np.repeat(mean, pixels), np.repeat(std, pixels)
    return mean.astype(np.float32), std.astype(np.float32)


def standardized(block: np.ndarray, mean: np.ndarray, std: np.ndarray,
                 in_place: bool = False) -> np.ndarray:
    """``block`` (float32 rows) scaled by the train statistics, as float32.

    ``in_place`` scales ``block`` itself (a copy the caller owns), to the same values.
    """
    if in_place:
        block -= mean
        block /= std
        return block
    return ((block - mean) / std).astype(np.float32)


def _column_blocks(X, rows: np.ndarray | None,
                   image_shape: tuple[int, int, int] | None) -> Iterator[np.ndarray]:
    """Blocks of rows of ``X[rows]``; for images, one column per channel."""
    count = len(X) if rows is None else len(rows)
    step = max(1, CHUNK_BYTES // (4 * X.shape[1]))
    for start in range(0, count, step):
        block = X[start:start + step] if rows is None else X[rows[start:start + step]]
        if image_shape is not None:
            channels = image_shape[0]
            block = block.reshape(len(block), channels, -1).transpose(0, 2, 1)
            block = block.reshape(-1, channels)
        yield block

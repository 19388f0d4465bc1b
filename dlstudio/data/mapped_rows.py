"""``MappedRows``: the rows of an array inside an uncompressed ``.npz``, read from disk.

It stands in for ``Dataset.X`` when a file is streamed: ``rows[index]`` gives float32
rows of shape (len(index), features) as the in-memory loader would hold them (images
flattened, channels-last images transposed to channels-first), read in file order for
locality and handed back in the order asked for.

The file is mapped read-only. Pages a read touched are dropped from this process's
mapping afterwards (``MADV_DONTNEED`` where the OS has it): they stay in the OS's file
cache, but the process's resident memory holds one batch, not every page it ever read.
"""

from __future__ import annotations

import mmap
from pathlib import Path
from typing import Iterator

import numpy as np

from dlstudio.data.npz_member import NpyMember

CHUNK_BYTES = 8 * 2**20  # rows read at a time by scans over many rows
_DROP_PAGES = getattr(mmap, "MADV_DONTNEED", None)


class MappedRows:
    """Float32 rows of a mapped array (see the module); read-only."""

    dtype = np.dtype(np.float32)
    ndim = 2

    def __init__(self, path: Path, member: NpyMember, channels_last: bool = False):
        if member.offset is None:
            raise ValueError(f"{path}: array {member.name} is compressed and cannot be mapped")
        self.path = Path(path)
        self.member = member
        self.channels_last = channels_last
        n = member.shape[0]
        self.shape = (n, int(np.prod(member.shape[1:], dtype=np.int64)) if member.shape[1:] else 1)
        with open(self.path, "rb") as handle:  # the map keeps a descriptor of its own
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._raw = np.ndarray(member.shape, member.dtype, buffer=self._map,
                               offset=member.offset, order="F" if member.fortran_order else "C")
        self._row_bytes = self.shape[1] * member.dtype.itemsize

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def nbytes(self) -> int:
        """Bytes the rows take as float32, what holding them in memory would cost."""
        return self.shape[0] * self.shape[1] * 4

    def __getitem__(self, index) -> np.ndarray:
        rows = np.arange(len(self))[index] if isinstance(index, slice) else np.asarray(index)
        if rows.ndim != 1:
            raise TypeError("MappedRows takes a 1-D array of row numbers or a slice")
        order = np.argsort(rows, kind="stable")
        ordered = rows[order]
        block = self._float_rows(self._raw[ordered])
        self._drop_pages(ordered)
        out = np.empty_like(block)
        out[order] = block
        return out

    def chunks(self, rows: np.ndarray | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(position, block)`` over ``rows`` (all, by default) a few MB at a time;
        ``position`` is where the block starts within ``rows``."""
        count = len(self) if rows is None else len(rows)
        step = max(1, CHUNK_BYTES // max(1, self._row_bytes))
        for start in range(0, count, step):
            if rows is None:
                block = self._float_rows(self._raw[start:start + step])
                self._drop_pages(np.array([start, min(start + step, count) - 1]))
            else:
                block = self[rows[start:start + step]]
            yield start, block

    def close(self) -> None:
        self._raw = None
        self._map.close()

    def _float_rows(self, raw: np.ndarray) -> np.ndarray:
        if self.channels_last:
            raw = raw.transpose(0, 3, 1, 2)
        with np.errstate(over="ignore"):  # the model's precision: beyond it becomes Inf
            return np.ascontiguousarray(raw, dtype=np.float32).reshape(len(raw), -1)

    def _drop_pages(self, sorted_rows: np.ndarray) -> None:
        if _DROP_PAGES is None or not len(sorted_rows):
            return
        if self.member.fortran_order:  # a row is spread over the whole array
            start, end = self.member.offset, len(self._map)
        else:
            start = self.member.offset + int(sorted_rows[0]) * self._row_bytes
            end = self.member.offset + (int(sorted_rows[-1]) + 1) * self._row_bytes
        start -= start % mmap.PAGESIZE
        if end > start:
            self._map.madvise(_DROP_PAGES, start, min(end, len(self._map)) - start)

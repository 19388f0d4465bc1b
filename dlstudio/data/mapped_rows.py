"""``MappedRows``: the rows of an array inside an uncompressed ``.npz``, read from disk.

It stands in for ``Dataset.X`` when a file is streamed: ``rows[index]`` gives float32
rows of shape (len(index), features) as the in-memory loader would hold them (images
flattened, channels-last images transposed to channels-first), read in file order for
locality and handed back in the order asked for.

The file is mapped read-only (``np.memmap``). Pages read through the map are the OS's
file cache: they count in the process's resident size (RssFile) while mapped, but they
are clean and shared, and the OS can drop them when memory runs short, unlike a copy the
process allocated. What the process itself allocates (RssAnon) is a batch or a block of
rows at a time. (Dropping the pages from the map after every batch kept the resident
size down but cost ~0.75 ms per batch of 256 random rows: on kernels that cache files
in large folios each row read maps up to megabytes.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from dlstudio.data.npz_member import NpyMember

CHUNK_BYTES = 4 * 2**20  # rows read at a time by scans over many rows


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
        self._raw = np.memmap(self.path, member.dtype, mode="r", offset=member.offset,
                              shape=member.shape, order="F" if member.fortran_order else "C")
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
        if len(rows) < 2 or (rows[1:] >= rows[:-1]).all():  # in file order already
            return self._float_rows(self._raw[rows])  # a copy: indexing by an array
        order = np.argsort(rows, kind="stable")
        block = self._float_rows(self._raw[rows[order]])
        out = np.empty_like(block)
        out[order] = block
        return out

    def chunks(self, rows: np.ndarray | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(position, block)`` over ``rows`` (all, by default) a few MB at a time;
        ``position`` is where the block starts within ``rows``."""
        count = len(self) if rows is None else len(rows)
        step = max(1, CHUNK_BYTES // max(1, self._row_bytes))
        for start in range(0, count, step):
            positions = np.arange(start, min(start + step, count))
            yield start, self[positions if rows is None else rows[positions]]

    def _float_rows(self, raw: np.ndarray) -> np.ndarray:
        if self.channels_last:
            raw = raw.transpose(0, 3, 1, 2)
        with np.errstate(over="ignore"):  # the model's precision: beyond it becomes Inf
            return np.ascontiguousarray(raw, dtype=np.float32).reshape(len(raw), -1)

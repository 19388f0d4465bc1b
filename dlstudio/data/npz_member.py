"""Where an array of a ``.npz`` archive lies in the file, without reading it.

``np.load(..., mmap_mode=...)`` maps ``.npy`` files but not the members of a zip. An
archive written by ``numpy.savez`` stores each member uncompressed, so its array is a
run of bytes at a fixed offset that can be mapped like a ``.npy`` file: the offset is
the member's local zip header, then the ``.npy`` header (read with ``np.lib.format``).
Members of ``numpy.savez_compressed`` archives are deflated and cannot be mapped.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The fixed part of a zip local file header; the name and extra field lengths are its
# last two 16-bit fields (APPNOTE 4.3.7).
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class NpyMember:
    """The array ``name`` of an archive: its shape and type, and where its data starts
    in the archive file (``offset``; None when the member is compressed)."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    offset: int | None

    @property
    def compressed(self) -> bool:
        return self.offset is None


def read_member(path: Path, name: str) -> NpyMember | None:
    """The header of array ``name`` (``name.npy`` in the zip), or None when absent.

    Raises ``OSError``, ``ValueError`` or ``zipfile.BadZipFile`` for a damaged archive.
    """
    with zipfile.ZipFile(path) as archive:
        try:
            info = archive.getinfo(f"{name}.npy")
        except KeyError:
            return None
        with archive.open(info) as member:
            shape, fortran_order, dtype = _npy_header(member)
            header_size = member.tell()
    if info.compress_type != zipfile.ZIP_STORED:
        return NpyMember(name, shape, dtype, fortran_order, None)
    with open(path, "rb") as handle:
        handle.seek(info.header_offset)
        fields = _LOCAL_HEADER.unpack(handle.read(_LOCAL_HEADER.size))
    if fields[0] != _LOCAL_MAGIC:
        raise zipfile.BadZipFile(f"bad local header for member {info.filename}")
    name_length, extra_length = fields[-2], fields[-1]
    data_start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    return NpyMember(name, shape, dtype, fortran_order, data_start + header_size)


def _npy_header(stream) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    # 2.0 and 3.0 differ only in how the header text is encoded.
    return np.lib.format.read_array_header_2_0(stream)

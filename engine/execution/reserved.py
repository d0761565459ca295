"""Space reserved on disk for the final results file, kept until HDF5 has written into it.

The merge of a run's shards into one flat file is the one write that goes through
HDF5's own I/O (the file can be larger than memory). HDF5 copes badly with a write
that fails: another process filling the disk during the merge used to end in a
SIGSEGV after pages of HDF5 errors. So the space is taken first and HDF5 writes into
it through h5py's file-object driver, which never reports a failed write to HDF5.
"""

from __future__ import annotations

import io
import os
from pathlib import Path


class Reserved(io.RawIOBase):
    """The final file, written by HDF5 into space reserved for it beforehand.

    The space is taken with ``posix_fallocate`` before anything is written and kept:
    HDF5 writes into it (through h5py's file-object driver), so another process filling
    the disk meanwhile cannot take it. Should HDF5 need more than the estimate, the
    reservation grows ahead of the writes. A write that still fails (no space left, a
    file-size limit, an I/O error) is never reported to HDF5, whose own write failures
    can take the process down (a SIGSEGV after pages of HDF5 errors): the error is kept,
    later writes are dropped, and ``failed`` says so once HDF5 has let go of the file.
    """

    def __init__(self, path: Path, nbytes: int):
        super().__init__()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        self.size, self.pos, self.end, self.failed = 0, 0, 0, None
        try:
            self._grow(max(1, nbytes))
        except OSError:
            os.close(self.fd)
            raise

    def _grow(self, upto: int) -> None:
        os.posix_fallocate(self.fd, self.size, upto - self.size)
        self.size = upto

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seek(self, off: int, whence: int = 0) -> int:
        self.pos = off if whence == 0 else self.pos + off if whence == 1 else self.end + off
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, b) -> int:
        n = max(0, min(len(b), self.end - self.pos))
        data = os.pread(self.fd, n, self.pos) if n else b""
        b[:len(data)] = data
        self.pos += len(data)
        return len(data)

    def write(self, b) -> int:
        b = memoryview(b).cast("B")
        if self.failed is None:
            try:
                if self.pos + len(b) > self.size:
                    self._grow(max(self.pos + len(b), self.size + self.size // 4))
                os.pwrite(self.fd, b, self.pos)
            except OSError as e:
                self.failed = e
        self.pos += len(b)
        self.end = max(self.end, self.pos)
        return len(b)

    def truncate(self, n=None) -> int:
        self.end = self.pos if n is None else n
        return self.end

    def flush(self) -> None:
        pass

    def close(self) -> None:
        """Cut the file to what HDF5 wrote and sync it; raise the first failed write."""
        if self.fd is None:
            return
        try:
            if self.failed is None:
                os.ftruncate(self.fd, self.end)
                os.fsync(self.fd)
        finally:
            os.close(self.fd)
            self.fd = None
            super().close()
        if self.failed is not None:
            raise self.failed

"""Writing results: atomically, so a reader (or a crash) never sees half a briefing."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from briefing.errors import BriefError


def replace_atomically(path: Path, data: bytes, private: bool = False) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over `path`.

    mkstemp makes the file private (0600): kept so where `private` (the outbox); otherwise the file gets
    the mode any new file would get. Raises OSError."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, text: str) -> Path:
    """Write `text` to `path`: a regular file is replaced atomically; a symlink is followed (its target is
    replaced, the link stays); a device or FIFO is written into, as the user asked (never replaced)."""
    path = Path(path).expanduser()
    data = text.encode("utf-8", "surrogateescape")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    parent = target.parent if str(target.parent) else Path(".")
    try:
        if target.exists() and not target.is_file():
            if target.is_dir():
                raise BriefError(f"cannot write {path}: it is a folder")
            _write_into(target, data)
            return path
        if not parent.is_dir():
            raise BriefError(f"cannot write {path}: the folder {parent} does not exist")
        replace_atomically(target, data)
    except OSError as e:
        raise BriefError(f"cannot write {path}: {e.strerror or e}") from None
    return path


def _write_into(path: Path, data: bytes) -> None:
    """Write into a special file (a device, a FIFO) in place; renaming over it would replace it."""
    with open(path, "wb", buffering=0) as f:
        view = memoryview(data)
        while view:
            view = view[f.write(view):]

"""Where a running server's temporary files go: its data folder, not /tmp."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path


def temporary_files_in(folder: Path) -> None:
    """Temporary files (uploads, sound conversions) go to ``folder``, on the disk the crew
    watches, not /tmp; what a killed server left there over an hour ago is cleared."""
    folder.mkdir(parents=True, exist_ok=True)
    for left in folder.iterdir():
        try:
            stale = time.time() - left.stat().st_mtime > 3600
            if stale and left.is_dir():
                shutil.rmtree(left)
            elif stale:
                left.unlink()
        except OSError:
            pass  # another worker's, or gone already
    tempfile.tempdir = str(folder)

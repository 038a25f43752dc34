"""Packaging: the stage notebooks and the sample client travel inside the wheel.

``notebooks/`` and ``data/sample/`` stay the repository's own folders. Building a wheel copies
them into ``kit/_bundled/`` (the same layout), where :mod:`kit.config` finds them when the kit is
installed (``pip install .``) rather than run from a clone. Everything else is in pyproject.toml.
"""

import re
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: Folder -> the files of it a wheel carries.
BUNDLED = {
    "notebooks": ("0*.ipynb",),
    "data/sample": ("*.yaml", "*.csv", "README.md"),
    ".": ("requirements.lock",),  # so that a pack's manifest can say the lock was used
}
#: Versions the kit writes beside a table (``followups.v2.csv``): working files, not the sample.
_WORKING_VERSION = re.compile(r"\.v\d+\.")


def bundled_files() -> list[tuple[Path, str]]:
    """(source, path inside ``kit/_bundled``) of every file the wheel carries."""
    out = []
    for folder, patterns in BUNDLED.items():
        for pattern in patterns:
            for src in sorted((HERE / folder).glob(pattern)):
                if src.is_file() and not _WORKING_VERSION.search(src.name):
                    out.append((src, str(Path(folder, src.name))))
    return out


class BuildWithBundle(build_py):
    """``build_py``, then the notebooks and the sample into ``kit/_bundled/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the clone itself
            return
        files = bundled_files()
        if not any(name.startswith("notebooks/") for _, name in files):
            raise SystemExit(f"no notebooks found in {HERE / 'notebooks'}: cannot build the kit")
        for src, name in files:
            dest = Path(self.build_lib, "kit", "_bundled", name)
            self.mkpath(str(dest.parent))
            self.copy_file(str(src), str(dest))


if __name__ == "__main__":  # as setuptools runs it (tests read bundled_files without building)
    setup(cmdclass={"build_py": BuildWithBundle})

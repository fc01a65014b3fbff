"""Packaging hook: copy the npm Socket.IO browser client into the built package, so an
installed (non-editable) liveshow serves it without node_modules. Metadata is in setup.cfg."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CLIENT = Path("node_modules/socket.io-client/dist/socket.io.min.js")


class BuildWithBrowserClient(build_py):
    def run(self) -> None:
        super().run()
        if CLIENT.is_file():
            target = Path(self.build_lib) / "liveshow" / "static" / "vendor"
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(CLIENT, target / CLIENT.name)


setup(cmdclass={"build_py": BuildWithBrowserClient})

"""``python -m loadgen`` (from benchmarks/) is ``python benchmarks/full_house.py``."""

from .cli import main

main()

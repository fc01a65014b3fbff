"""A full house: 1,000-5,000 simulated phones against liveshow and the Node.js reference.

Every scenario, its flags and what it reports are in benchmarks/loadgen/__init__.py;
BENCHMARKS.md has the latest figures, benchmarks/results/full_house.md every run.

    .venv/bin/python benchmarks/full_house.py fanout --phones 1000,3000 --against both
"""

from loadgen.cli import main

if __name__ == "__main__":
    main()

"""The test suite. A package, so pytest puts the repository root on ``sys.path`` and every
test imports its helpers the same way: ``from tests.helpers.<module> import ...``."""

"""The pipeline benchmark: `python -m bench --articles N` (see bench/README.md). Not part of the test suite."""

"""Benchmarks of the desk: the real `python -m bot` against the loopback fakes.

`python -m bench` runs every scenario, prints a table and writes bench/results/latest.json;
see docs/benchmarks.md for what each measure means and the latest numbers.
"""

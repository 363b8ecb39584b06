"""Benchmarks (``make bench``): the figures the issues name, on this machine."""

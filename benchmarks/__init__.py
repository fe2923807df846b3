"""Search benchmarks: a synthetic catalog generator and the `make bench` runner."""

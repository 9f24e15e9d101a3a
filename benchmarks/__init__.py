"""Whole-path benchmarks, each with its baseline measured in the same run (`make benchmark`)."""

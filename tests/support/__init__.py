"""Helpers for tests that run real parts: worker processes, brokers, servers."""

"""Pythonic conveniences for Fit (NumPy interop, operators)."""

"""Fixtures for the geo tests; `fake_nominatim` lives in fake_nominatim.py for reuse."""

from .fake_nominatim import fake_nominatim

__all__ = ["fake_nominatim"]

"""cityloop: the full cycle of a city's 12345 citizen hotline (接诉即办)."""

__version__ = "0.1.0"

"""attt: security-level compliance scanner."""

__version__ = "0.1.0"

"""socialperf: social performance of microfinance institutions (MFIs) and investment vehicles (MIVs)."""

__all__: list[str] = []
__version__ = "0.1.0"

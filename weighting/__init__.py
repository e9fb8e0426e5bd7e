"""weighting: normalisation, weighting, aggregation and comparison of composite indicators."""

__all__: list[str] = []
__version__ = "0.1.0"

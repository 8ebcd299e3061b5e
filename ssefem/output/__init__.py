"""Outputs: results directory staging, field writers, time series, summary and plots."""

from ssefem.output.fields import FieldWriter
from ssefem.output.results import ResultsDir
from ssefem.output.timeseries import TimeSeries

__all__ = ["FieldWriter", "ResultsDir", "TimeSeries"]

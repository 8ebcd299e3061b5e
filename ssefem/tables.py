"""Tabulated laws in UFL: what an upscaled sub-problem computes, a cell-scale model
interpolates."""

from __future__ import annotations

import numpy as np
import ufl


def piecewise_linear(x, xs: np.ndarray, ys: np.ndarray):
    """UFL piecewise-linear interpolant of (xs, ys), extended linearly beyond both ends."""
    slopes = np.diff(ys) / np.diff(xs)
    expr = ys[0] + slopes[0] * (ufl.min_value(x, xs[0]) - xs[0])
    for k, s in enumerate(slopes):
        expr = expr + s * (ufl.min_value(ufl.max_value(x, xs[k]), xs[k + 1]) - xs[k])
    return expr + slopes[-1] * (ufl.max_value(x, xs[-1]) - xs[-1])


def piecewise_linear_clamped(x, xs: np.ndarray, ys: np.ndarray):
    """UFL piecewise-linear interpolant of (xs, ys), constant beyond both ends."""
    return piecewise_linear(ufl.min_value(ufl.max_value(x, xs[0]), xs[-1]), xs, ys)

"""Geometric grading toward layer faces (``face_cell``): the element at each face of the layer
has the asked size, the sizes grow geometrically to the middle, and the tags stay intact."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from ssefem.mesh import load_regions
from ssefem.mesh.builder import StackSpec, geometric_ratio


def test_geometric_ratio_sums_to_the_length():
    r = geometric_ratio(5.0, 40, 1e-4)
    assert r > 1
    assert 1e-4 * (r**40 - 1) / (r - 1) == pytest.approx(5.0, rel=1e-10)
    assert geometric_ratio(1.0, 10, 0.5) == 1.0  # uniform cells already small enough


def _sizes(regions, layer):
    """Element lengths along x of one layer (1-D mesh), sorted by position."""
    msh = regions.mesh
    cells = regions.cells(layer)
    x = msh.geometry.x[:, 0]
    dofs = msh.geometry.dofmaps[0][cells]
    lo, hi = x[dofs].min(axis=1), x[dofs].max(axis=1)
    order = np.argsort(lo)
    return lo[order], (hi - lo)[order]


def test_1d_face_cells_at_both_faces_of_the_graded_layer():
    spec = StackSpec(("a", "b", "c"), (2.0, 10.0, 3.0), (4, 60, 6), (1.0, 1.0, 2.0),
                     face_cell=(None, 1e-4, None))
    regions = load_regions(spec, MPI.COMM_SELF)
    _, h = _sizes(regions, "b")
    assert len(h) == 60
    assert h[0] == pytest.approx(1e-4, rel=1e-3) and h[-1] == pytest.approx(1e-4, rel=1e-3)
    assert h.sum() == pytest.approx(10.0, rel=1e-12)
    half = h[:30]
    assert np.all(np.diff(half) > 0)  # growing toward the middle
    ratios = half[1:] / half[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-3)
    _, ha = _sizes(regions, "a")
    np.testing.assert_allclose(ha, 0.5, rtol=1e-12)  # ungraded layers unchanged
    for name in ("a|b", "b|c", "a_cc", "c_cc"):
        assert regions.facet_tags.find(regions.facet_tag[name]).size == 1


@pytest.mark.parametrize("dim", [2, 3])
def test_face_cells_in_2d_and_3d(dim):
    spec = StackSpec(("a", "b"), (1.0, 4.0), (2, 10), (1.0, 1.0), dimension=dim, width=1.0,
                     lateral_cells=1, tensor=True, face_cell=(None, 1e-3))
    regions = load_regions(spec, MPI.COMM_SELF)
    assert regions.measure_size("b") == pytest.approx(4.0, rel=1e-12)
    assert regions.measure_size("a|b") == pytest.approx(1.0, rel=1e-12)
    assert regions.measure_size("b_cc") == pytest.approx(1.0, rel=1e-12)
    assert regions.measure_size("b_lateral") == pytest.approx(4.0 * 2 * (dim - 1), rel=1e-12)
    x = regions.mesh.geometry.x[:, 0]
    xs = np.unique(np.round(x, 7))
    assert np.diff(xs).min() == pytest.approx(1e-3, rel=1e-3)


def test_single_layer_faces_are_left_and_right():
    spec = StackSpec(("sse",), (1.0,), (4,), (1.0,))
    assert spec.boundary_names() == ("sse_left", "sse_right")
    regions = load_regions(spec, MPI.COMM_SELF)
    assert {"sse_left", "sse_right"} <= set(regions.facet_tag)


def test_geometric_ratio_many_cells():
    r = geometric_ratio(10.0, 2000, 1e-6)  # 2^2000 would overflow a float
    assert 1.0 < r < 1.01
    assert 1e-6 * (r**2000 - 1) / (r - 1) == pytest.approx(10.0, rel=1e-9)

"""What a spectrum says, by the field's own library (pyimpspec, GPL-3, the optional extra
``ssefem[eis]``): a Kramers-Kronig test, the distribution of relaxation times and an
equivalent-circuit fit. ssefem fits nothing by hand.

- Kramers-Kronig: pyimpspec's linear KK test on the complex data (``test="complex"``), the
  number of RC elements chosen by its own criterion; the residuals are (Z - Z_KK) / |Z|.
- DRT: Tikhonov regularisation on radial basis functions (``tr-rbf``, the DRTtools method of
  Wan et al. 2015, with kvxopt as its convex optimiser), its regularisation chosen by
  generalised cross-validation; its peaks give the time constants, resolved between the
  data's frequencies (the non-negative least-squares variant puts a peak only on a data
  point's tau, 26 % apart at 10 points per decade).
- Circuit fit: the circuit given in pyimpspec's circuit description code (CDC, e.g.
  ``"R(RC)(RC)"``, initial values as ``R{R=10}``), fitted with Powell's method and Boukamp's
  weights. A spectrum's parameters span many orders (R in Ohm, C in nF), where pyimpspec's
  least-squares methods stop on their step test about 0.5 % short of the optimum; Powell's
  method, which does not scale by the Jacobian, reaches it.

Each analysis is independent: one that fails leaves its error in its entry and the others
(and every result file) stand.
"""

from __future__ import annotations

import logging
import math

import numpy as np

log = logging.getLogger(__name__)

#: the optional dependency, named in messages
EXTRA = "pyimpspec is not installed (pip install 'ssefem[eis]')"


def available() -> bool:
    try:
        import pyimpspec  # noqa: F401
    except ImportError:
        return False
    return True


def check_circuit(cdc: str) -> None:
    """Raise ValueError unless ``cdc`` is a circuit pyimpspec can parse (and pyimpspec is
    there to fit it)."""
    if not available():
        raise ValueError(f"a circuit fit needs pyimpspec: {EXTRA}")
    import pyimpspec

    try:
        pyimpspec.parse_cdc(cdc)
    except Exception as err:  # noqa: BLE001 (pyimpspec's parsing errors have no common base)
        raise ValueError(f"not a circuit description pyimpspec reads ({cdc!r}): {err}") \
            from None


def _data(frequencies, impedances, label: str):
    import pyimpspec

    return pyimpspec.DataSet(frequencies=np.asarray(frequencies),
                             impedances=np.asarray(impedances), label=label)


def kramers_kronig(data) -> dict:
    import pyimpspec

    kk = pyimpspec.perform_kramers_kronig_test(data, test="complex", num_F_ext_evaluations=0,
                                               num_procs=1)
    return {"num_RC": int(kk.num_RC),
            "max_residual_real": float(np.abs(kk.residuals.real).max()),
            "max_residual_imag": float(np.abs(kk.residuals.imag).max()),
            "pseudo_chisqr": float(kk.pseudo_chisqr)}


def drt(data) -> tuple[dict, np.ndarray, np.ndarray]:
    """The DRT's peaks (summary entry) and its curve: tau (s), gamma (Ohm)."""
    import pyimpspec

    result = pyimpspec.calculate_drt(data, method="tr-rbf", num_procs=1)
    taus, gammas = result.get_peaks()[:2]
    tau, gamma = result.get_drt_data()[:2]
    peaks = sorted(({"tau_s": float(t), "f_Hz": 1 / (2 * math.pi * float(t)),
                     "gamma_ohm": float(g)} for t, g in zip(taus, gammas, strict=True)),
                   key=lambda p: p["tau_s"])
    return ({"method": "tr-rbf", "lambda": float(result.lambda_value), "peaks": peaks},
            np.asarray(tau, dtype=float), np.asarray(gamma, dtype=float))


def fit(data, cdc: str) -> dict:
    import pyimpspec

    result = pyimpspec.fit_circuit(pyimpspec.parse_cdc(cdc), data, method="powell",
                                   weight="boukamp", num_procs=1)
    parameters = {
        element: {name: {"value": float(p.value),
                         "stderr": None if p.stderr is None or not math.isfinite(p.stderr)
                         else float(p.stderr), "unit": p.unit}
                  for name, p in values.items()}
        for element, values in result.get_parameters().items()}
    return {"circuit": cdc, "fitted": result.circuit.to_string(6), "method": "powell",
            "weight": "boukamp", "parameters": parameters,
            "pseudo_chisqr": float(result.pseudo_chisqr)}


def analyse(frequencies, impedances, *, label: str, kk: bool, with_drt: bool,
            circuit: str | None) -> tuple[dict, tuple[np.ndarray, np.ndarray] | None]:
    """The summary entry of one spectrum (frequencies in Hz, Z in Ohm) and its DRT curve."""
    wanted = kk or with_drt or circuit is not None
    if not wanted:
        return {}, None
    if not available():
        log.warning("impedance analysis skipped: %s", EXTRA)
        return {"skipped": EXTRA}, None
    data = _data(frequencies, impedances, label)
    out: dict = {}
    curve = None
    jobs = [("kramers_kronig", kk, lambda: kramers_kronig(data)),
            ("drt", with_drt, lambda: drt(data)),
            ("fit", circuit is not None, lambda: fit(data, circuit))]
    for name, wanted, job in jobs:
        if not wanted:
            continue
        try:
            value = job()
        except Exception as err:  # noqa: BLE001 (an analysis failing costs only its entry)
            log.warning("impedance %s of %s failed: %s", name, label, err)
            out[name] = {"error": f"{type(err).__name__}: {err}"}
            continue
        if name == "drt":
            value, *curve = value
        out[name] = value
    return out, (tuple(curve) if curve else None)

"""Mutation probe (issue 12, finding 14): inject one-line physics errors, run the tests that
should see them, record which fail, restore the file.

    OMP_NUM_THREADS=1 .venv/bin/python bench/probes/mutants.py [NAME ...]

Each mutant replaces one exact string (found exactly once) in one source file; the file is
restored in a ``finally`` block (and checked against its original bytes). A mutant "survives"
when none of its tests fails. Not a timed test: each mutant costs a pytest run (and, for a
change inside a form, a JIT compilation).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
V = "tests/verification/"


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    all_failures: bool = False  # run every test file (else stop at the first failing file)


MUTANTS = (
    # the four of the issue
    Mutant("i0_exponents_swapped", "ssefem/physics/electrochemistry/butler_volmer.py",
           "(th / tr) ** alpha_c * ((1.0 - th) / (1.0 - tr)) ** alpha_a",
           "(th / tr) ** alpha_a * ((1.0 - th) / (1.0 - tr)) ** alpha_c",
           (V + "test_kinetics_composition.py", V + "test_cell_analytic.py"), True),
    Mutant("faraday_x1.01", "ssefem/constants.py",
           "F = 96485.33212 ", "F = 96485.33212 * 1.01 ",
           ("tests/unit/test_constants.py", V + "test_cell_analytic.py",
            V + "test_kinetics_composition.py", V + "test_divalent_cell.py"), True),
    Mutant("z_dropped_from_flux_to_rate", "ssefem/scales.py",
           "/ (z * F * self.length * c_ref)", "/ (F * self.length * c_ref)",
           (V + "test_divalent_cell.py", V + "test_cell_analytic.py"), True),
    Mutant("boltzmann_x1.01", "ssefem/constants.py",
           "K_B_EV = 8.617333262e-5 ", "K_B_EV = 8.617333262e-5 * 1.01 ",
           ("tests/unit/test_constants.py", "tests/unit/test_materials.py",
            V + "test_cell_analytic.py", V + "test_divalent_cell.py"), True),
    # 1 % changes of the physics each new test guards
    Mutant("i0_x1.01", "ssefem/physics/electrochemistry/butler_volmer.py",
           'ctx.constant(f"i0:{label}", i0 / sc.current)',
           'ctx.constant(f"i0:{label}", 1.01 * i0 / sc.current)',
           (V + "test_kinetics_composition.py", V + "test_divalent_cell.py")),
    Mutant("flux_to_rate_x1.01", "ssefem/scales.py",
           "return self.current * self.time / (z * F",
           "return 1.01 * self.current * self.time / (z * F",
           (V + "test_divalent_cell.py",)),
    Mutant("bv_exponent_z_x1.01", "ssefem/physics/electrochemistry/butler_volmer.py",
           "(ufl.exp(alpha_a * el.z * eta) - ufl.exp(-alpha_c * el.z * eta))",
           "(ufl.exp(alpha_a * 1.01 * el.z * eta) - ufl.exp(-alpha_c * 1.01 * el.z * eta))",
           (V + "test_divalent_cell.py", V + "test_kinetics_composition.py")),
    Mutant("ionic_conductivity_x1.01", "ssefem/physics/ionics/transport.py",
           'sigma = mat.at("conductivity", self.T) / model.scales.conductivity',
           'sigma = 1.01 * mat.at("conductivity", self.T) / model.scales.conductivity',
           (V + "test_holm_constriction.py",)),
    Mutant("arrhenius_Ea_x1.01", "ssefem/materials/schema.py",
           "math.exp(-(self.Ea / K_B_EV)", "math.exp(-(1.01 * self.Ea / K_B_EV)",
           (V + "test_cell_analytic.py", V + "test_divalent_cell.py")),
)


def _run(m: Mutant) -> tuple[list[str], str, float]:
    path = ROOT / m.path
    original = path.read_bytes()
    text = original.decode()
    if text.count(m.old) != 1:
        raise SystemExit(f"{m.name}: {m.old!r} occurs {text.count(m.old)} times in {m.path}")
    t0 = time.time()
    failed: list[str] = []
    try:
        path.write_text(text.replace(m.old, m.new))
        for test in m.tests:
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m",
                 "not mpi", "-rf", test], cwd=ROOT, capture_output=True, text=True,
                timeout=1200, env={**os.environ, "OMP_NUM_THREADS": "1"})
            failed += re.findall(r"^FAILED (\S+)", proc.stdout, flags=re.M)
            if proc.returncode not in (0, 1):
                failed.append(f"{test} (pytest exit {proc.returncode})")
            if failed and not m.all_failures:
                break  # killed: one failing test is enough
    finally:
        path.write_bytes(original)
        assert path.read_bytes() == original
    return failed, "killed" if failed else "SURVIVED", time.time() - t0


def main(names: list[str]) -> int:
    chosen = [m for m in MUTANTS if not names or m.name in names]
    survived = 0
    for m in chosen:
        failed, verdict, dt = _run(m)
        survived += verdict == "SURVIVED"
        print(f"{m.name}: {verdict} ({dt:.0f} s)", flush=True)
        for f in failed:
            print(f"    {f}", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

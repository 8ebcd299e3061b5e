"""Physical constants for test expectations, written here independently of ``ssefem.constants``.

CODATA 2018 recommended values (E. Tiesinga, P. J. Mohr, D. B. Newell, B. N. Taylor,
Rev. Mod. Phys. 93, 025010 (2021); https://physics.nist.gov/cuu/Constants/). Since the 2019 SI
redefinition e, k_B and N_A are exact; F = e N_A and R = k_B N_A are exact too (written here to
the digits NIST lists); eps0 is measured (relative standard uncertainty 1.5e-10).
A physics test takes its constants from here, never from the code under test, so that an error
in ``ssefem.constants`` makes the tests fail instead of cancelling out.
"""

E_CHARGE = 1.602176634e-19  # elementary charge, C (exact)
K_B = 1.380649e-23  # Boltzmann constant, J/K (exact)
N_A = 6.02214076e23  # Avogadro constant, 1/mol (exact)
F = 96485.33212  # Faraday constant e N_A, C/mol (exact; NIST lists 96 485.332 12...)
R = 8.314462618  # molar gas constant k_B N_A, J/(mol K) (exact; NIST lists 8.314 462 618...)
EPS0 = 8.8541878128e-12  # vacuum electric permittivity, F/m (CODATA 2018)
K_B_EV = K_B / E_CHARGE  # Boltzmann constant in eV/K (8.617333262...e-5, exact)


def thermal_voltage(T: float) -> float:
    """RT/F in volts, from the CODATA values above."""
    return R * T / F

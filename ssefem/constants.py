"""Physical constants (CODATA 2018, exact SI values where defined)."""

F = 96485.33212  # Faraday constant, C/mol
R = 8.314462618  # gas constant, J/(mol K)
K_B_EV = 8.617333262e-5  # Boltzmann constant, eV/K
EPS0 = 8.8541878128e-12  # vacuum permittivity, F/m
T_REF = 298.15  # default reference temperature, K


def thermal_voltage(T: float) -> float:
    """RT/F in volts."""
    return R * T / F

"""Electrodes, interface kinetics, terminals and thin layers."""

"""Elasticity, contact, creep, and their coupling to the cell stack."""

"""Ion transport in the ion conductors: the electroneutral default, conduction terms and potential jumps."""

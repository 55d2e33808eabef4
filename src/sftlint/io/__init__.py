"""Reading examples from files: streaming readers, positions, format adapters, atomic writes."""

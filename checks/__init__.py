"""Check library: one module per family; importing a module registers its probes and checks."""

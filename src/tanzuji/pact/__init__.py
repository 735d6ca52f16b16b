"""PACT v3 exchange: export a study's footprint (with its uncertainty), import supplier
footprints as factors, host the PACT API and pull from other hosts. See docs/pact.md."""

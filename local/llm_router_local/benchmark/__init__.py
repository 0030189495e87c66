"""The benchmark runner: measures routing quality and speed where the router runs."""

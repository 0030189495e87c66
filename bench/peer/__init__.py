"""Side-by-side gateway benchmark parts: loopback upstream, gateways, load, report."""

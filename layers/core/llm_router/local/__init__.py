"""Running the router without AWS: embedded moto, tables from template.yaml, simulator."""

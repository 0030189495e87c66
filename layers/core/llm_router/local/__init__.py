"""Running the router without AWS: the embedded store (DynamoDB API on SQLite), tables
from template.yaml, the provider simulator."""

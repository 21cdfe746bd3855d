"""위메프 W-API (reference §1), declared on the connector runtime."""

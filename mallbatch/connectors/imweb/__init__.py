"""아임웹 REST API v2 (reference §4, seed 003), declared on the connector runtime."""

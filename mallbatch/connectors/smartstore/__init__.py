"""스마트스토어 네이버 커머스API (reference §2), declared on the connector runtime."""

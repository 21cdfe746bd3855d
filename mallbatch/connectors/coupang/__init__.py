"""쿠팡 Wing Open API, declared on the connector runtime."""

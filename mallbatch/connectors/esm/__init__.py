"""G마켓 and 옥션 through the one ESM Trading API (reference §4)."""

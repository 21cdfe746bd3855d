"""티몬 (Tmon) partner "interwork" API connector."""

"""Kind-agnostic reading of seller workbooks: file checks, raw cells as text, value normalisers, safe output text."""

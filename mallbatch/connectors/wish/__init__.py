"""Wish Merchant API connector (reference §3, seed 004)."""

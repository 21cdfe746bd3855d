"""One adapter per marketplace, all speaking the contract in :mod:`mallbatch.adapters.base`."""

"""Simulators of the marketplaces, served on loopback sockets.

Each simulator is an independent implementation of its mall's documented protocol and
state rules. It must never import ``mallbatch.connectors``: two implementations written
from the same reference catch each other's mistakes.
"""

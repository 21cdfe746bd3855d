"""mallbatch: Korean multi-marketplace integration driven by Excel workbooks.

Sellers drop filled templates into ``inbox/``; mallbatch validates them, pushes them
to each marketplace through one connector per mall, and writes results and collected
orders, claims and inquiries as workbooks into ``outbox/``.
"""

__version__ = "0.1.0"

"""Local full-text search: the ``SearchIndex`` port (``port``), Spanish analysis (``analysis``),
the query language (``query``) and the Whoosh adapter (``whoosh_index``).

Importing this package imports nothing heavy; Whoosh is loaded by ``whoosh_index`` only.
"""

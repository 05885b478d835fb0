"""Central sync (DESIGN.md §4): many offline workstations, one PostgreSQL, nothing lost.

- ``config``, ``credentials``: where the central database is; its password (OS keyring or
  ``LEGAJO_CENTRAL_PASSWORD``, never plain text).
- ``central_models``, ``central_migrations``, ``central_schema``: the central-only tables, their
  Alembic chain, ``central init|upgrade`` and the workstations' least-privilege role.
- ``tables``, ``changes``: which tables sync (``__synced__``) and how changes and per-field
  clocks travel.
- ``central_apply`` (+ ``rowstore``, ``writer``, ``invariants``, ``central_conflicts``): a pushed
  batch merged on the central database in one transaction.
- ``local_apply``, ``bootstrap``: pulled changes and the first load, on the workstation.
- ``client``: the protocol steps; ``service``: the use cases; ``conflicts``: review and resolve.

docs/SYNC.md explains the protocol and the rules for people.
"""

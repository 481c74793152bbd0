"""A synced index of the account's recording tasks: questions answered from the database.

`tables` (schema), `ranges` (which start times are synced, pure), `store` (reads and writes),
`sync` (backfill, hot refresh, reconcile under a lease), `source` (a TaskSource over it).
"""

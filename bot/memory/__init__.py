"""Team memory: names for sets of filters, saved questions, and the audit trail.

The pure parts (what a name may be, how a request is expanded, what a memory command says,
what an audit record holds) live beside the stores; the Slack and CLI surfaces call them.
"""

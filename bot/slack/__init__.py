"""The Slack app: Bolt wiring (app.py), one module per surface (commands, mentions, actions,
home), the conversation that answers (answers.py), delivery, and serving (wsgi, server)."""

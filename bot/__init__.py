"""recbot: a Slack chat-ops bot for Tencent Cloud CSS recording tasks.

The package is one pipeline, a pure core and a thin shell:

    text -> Request -> Window -> Plan -> Fetch -> Analyze -> Render -> Deliver

Core (no I/O, no Slack or Tencent imports): request, timephrase, plan, tasks, findings,
answer, render. Shell: css (SDK + simulator), slack, digest, obs, config, cli.
"""

__version__ = "0.1.0"

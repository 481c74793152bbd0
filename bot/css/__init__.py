"""Talking to Tencent Cloud CSS: SDK client, query engine, error table, and the simulator."""

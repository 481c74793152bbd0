"""Test helpers hand out ports that nothing else on the machine can be given meanwhile (R29)."""

from __future__ import annotations

import socket

from tests.support.serving import _ephemeral_floor, free_port


def test_free_ports_lie_below_the_ephemeral_range_and_never_repeat() -> None:
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    # The kernel gives bind(0) and outgoing connections ports from its ephemeral range only.
    assert all(1024 < port < _ephemeral_floor() for port in ports)
    with socket.socket() as server:
        server.bind(("127.0.0.1", ports[-1]))  # and the port is free to serve on
        server.listen(1)

#!/usr/bin/env python3
"""Holds N idle keep-alive connections to the server (each has made one request), then, while
they stay open, times how long a new client waits for /healthz. Prints JSON.
   idle.py PORT N SECONDS"""
import json, socket, sys, time

port, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
conns = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    conns.append(s)
ok = 0
for s in conns:
    s.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    ok += data.startswith(b"HTTP/1.1 200")
waits = []
end = time.time() + seconds
while time.time() < end:
    t0 = time.perf_counter()
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    c.settimeout(10)
    got = c.recv(4096)
    waits.append((time.perf_counter() - t0) * 1000)
    c.close()
    time.sleep(0.2)
still_open = 0
for s in conns:
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(10)
        still_open += s.recv(4096).startswith(b"HTTP/1.1 200")
    except OSError:
        pass
waits.sort()
print(json.dumps({"idle_connections": n, "answered_first": ok, "still_open_after": still_open,
                  "new_client_ms_median": round(waits[len(waits) // 2], 2),
                  "new_client_ms_max": round(waits[-1], 2), "samples": len(waits)}))

#!/usr/bin/env python3
"""gate-proxy.py DIR SOCKET: a TCP proxy on 127.0.0.1 to the Unix socket
SOCKET (a PostgreSQL server's), that holds every connection it accepts
until the file DIR/open exists, with Python's standard library only.

Writes its port to DIR/port. When it holds a connection, it creates
DIR/held; once DIR/open exists, it connects each held connection (and
every later one) to SOCKET and copies bytes both ways. Runs until killed.
"""
import os
import socket
import sys
import threading
import time

out, target = sys.argv[1], sys.argv[2]


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client):
    if not os.path.exists(os.path.join(out, "open")):
        open(os.path.join(out, "held"), "w").close()
        while not os.path.exists(os.path.join(out, "open")):
            time.sleep(0.02)
    server = socket.socket(socket.AF_UNIX)
    server.connect(target)
    threading.Thread(target=pipe, args=(client, server), daemon=True).start()
    pipe(server, client)


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
with open(os.path.join(out, "port.tmp"), "w") as f:
    f.write("%d\n" % listener.getsockname()[1])
os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()

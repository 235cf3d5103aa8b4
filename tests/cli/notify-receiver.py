#!/usr/bin/env python3
"""notify-receiver.py DIR: a local HTTP and SMTP receiver for the
notification tests, with Python's standard library only.

Writes the ports it listens on to DIR/http.port and DIR/smtp.port, then
each request it gets to DIR/http.N (first line "POST PATH", then the
body) and each mail to DIR/mail.N ("MAIL FROM:<...>", "RCPT TO:<...>",
then the message), N counting from 1. How the HTTP side answers depends
on the path: /fail answers 500, /fail-once 500 the first time and 200
after, /slow waits 3 seconds before answering 200; anything else 200.
Runs until killed.
"""
import http.server
import os
import socket
import socketserver
import sys
import threading
import time

out = sys.argv[1]
lock = threading.Lock()
counts = {"http": 0, "mail": 0}
seen = set()


def save(kind, text):
    with lock:
        counts[kind] += 1
        path = os.path.join(out, "%s.%d" % (kind, counts[kind]))
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        save("http", "POST %s\n%s" % (self.path, body))
        status = 200
        if self.path.startswith("/fail-once"):
            with lock:
                status = 200 if self.path in seen else 500
                seen.add(self.path)
        elif self.path.startswith("/fail"):
            status = 500
        elif self.path.startswith("/slow"):
            time.sleep(3)
        try:
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok\n")
        except OSError:
            pass

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def smtp_session(conn):
    f = conn.makefile("rb")
    send = lambda line: conn.sendall(line.encode() + b"\r\n")
    send("220 localhost ESMTP test")
    envelope = []
    while True:
        line = f.readline()
        if not line:
            return
        cmd = line.decode().rstrip("\r\n")
        verb = cmd.split(" ")[0].upper()
        if verb in ("EHLO", "HELO"):
            send("250 localhost")
        elif verb in ("MAIL", "RCPT"):
            envelope.append(cmd)
            send("250 OK")
        elif verb == "DATA":
            send("354 go on")
            data = []
            while True:
                l = f.readline()
                if not l or l in (b".\r\n", b".\n"):
                    break
                data.append(l.decode())
            save("mail", "\n".join(envelope) + "\n" + "".join(data))
            envelope = []
            send("250 queued")
        elif verb == "QUIT":
            send("221 bye")
            return
        else:
            send("250 OK")


def smtp_server(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=lambda: (smtp_session(conn), conn.close()), daemon=True).start()


httpd = Server(("127.0.0.1", 0), Handler)
smtp = socket.socket()
smtp.bind(("127.0.0.1", 0))
smtp.listen(5)
threading.Thread(target=smtp_server, args=(smtp,), daemon=True).start()
for name, port in (("smtp", smtp.getsockname()[1]), ("http", httpd.server_address[1])):
    with open(os.path.join(out, name + ".port.tmp"), "w") as f:
        f.write("%d\n" % port)
    os.rename(os.path.join(out, name + ".port.tmp"), os.path.join(out, name + ".port"))
httpd.serve_forever()

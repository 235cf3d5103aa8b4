#!/usr/bin/env python3
"""notify-tls-receiver.py DIR CERT KEY USER PASSWORD: local TLS receivers
for the notification tests, with Python's standard library and its ssl
module only (CERT and KEY: a throwaway self-signed certificate).

Listens on 127.0.0.1 and writes each port to DIR/NAME.port:
  https     HTTPS; each POST to DIR/https.N (first line "POST PATH", then
            the body)
  starttls  SMTP that offers STARTTLS, and AUTH PLAIN LOGIN once in TLS;
            accepts USER/PASSWORD only
  cleartext SMTP that offers AUTH PLAIN LOGIN but no STARTTLS
  mute      accepts connections and never says a word
Each mail goes to DIR/mail.N: "TLS: yes|no", "AUTH: user password" (or
"AUTH: none"), "MAIL FROM:<...>", "RCPT TO:<...>", then the message.
Every AUTH command a server receives, in TLS or not, is appended to
DIR/auth.log as "PORTNAME TLS|CLEAR MECHANISM". N counts from 1. Runs
until killed.
"""
import base64
import http.server
import os
import socket
import socketserver
import ssl
import sys
import threading

out, cert, key, user, password = sys.argv[1:6]
lock = threading.Lock()
counts = {"https": 0, "mail": 0}
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)


def save(kind, text):
    with lock:
        counts[kind] += 1
        path = os.path.join(out, "%s.%d" % (kind, counts[kind]))
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def log_auth(name, tls, mech):
    with lock:
        with open(os.path.join(out, "auth.log"), "a") as f:
            f.write("%s %s %s\n" % (name, "TLS" if tls else "CLEAR", mech))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        save("https", "POST %s\n%s" % (self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok\n")

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def get_request(self):
        conn, addr = self.socket.accept()
        # The handshake in the handler's thread: a client that never
        # completes one holds up no other.
        return ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), addr


def b64(text):
    return base64.b64decode(text.strip()).decode()


def smtp_session(conn, name, offer_tls):
    tls = False
    f = conn.makefile("rb")

    def send(line):
        conn.sendall(line.encode() + b"\r\n")

    def read():
        line = f.readline()
        return line.decode().rstrip("\r\n") if line else None

    send("220 localhost ESMTP test")
    envelope, auth = [], "none"
    while True:
        cmd = read()
        if cmd is None:
            return
        parts = cmd.split(" ")
        verb = parts[0].upper()
        if verb in ("EHLO", "HELO"):
            lines = ["localhost"]
            if offer_tls and not tls:
                lines.append("STARTTLS")
            if tls or not offer_tls:
                lines.append("AUTH PLAIN LOGIN")
            for i, l in enumerate(lines):
                send("250%s%s" % (" " if i == len(lines) - 1 else "-", l))
        elif verb == "STARTTLS" and offer_tls and not tls:
            send("220 ready to start TLS")
            conn = ctx.wrap_socket(conn, server_side=True)
            f = conn.makefile("rb")
            tls = True
        elif verb == "AUTH":
            mech = parts[1].upper()
            log_auth(name, tls, mech)
            if mech == "PLAIN":
                if len(parts) > 2:
                    resp = parts[2]
                else:
                    send("334 ")
                    resp = read()
                _, u, p = b64(resp).split("\0")
            elif mech == "LOGIN":
                if len(parts) > 2:
                    u = b64(parts[2])
                else:
                    send("334 VXNlcm5hbWU6")
                    u = b64(read())
                send("334 UGFzc3dvcmQ6")
                p = b64(read())
            else:
                send("504 unknown mechanism")
                continue
            if (u, p) == (user, password):
                auth = "%s %s" % (u, p)
                send("235 2.7.0 authenticated")
            else:
                send("535 5.7.8 bad credentials")
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
            save("mail", "TLS: %s\nAUTH: %s\n" % ("yes" if tls else "no", auth) +
                 "\n".join(envelope) + "\n" + "".join(data))
            envelope = []
            send("250 queued")
        elif verb == "QUIT":
            send("221 bye")
            return
        else:
            send("250 OK")


def serve(sock, name, session):
    while True:
        conn, _ = sock.accept()

        def run(conn=conn):
            try:
                session(conn)
            except (OSError, ValueError, ssl.SSLError):
                pass
            finally:
                conn.close()

        threading.Thread(target=run, daemon=True).start()


def listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s


held = []


def mute(conn):
    held.append(conn)  # kept open, never answered
    threading.Event().wait()


ports = {}
for name, session in (
    ("starttls", lambda c: smtp_session(c, "starttls", True)),
    ("cleartext", lambda c: smtp_session(c, "cleartext", False)),
    ("mute", mute),
):
    s = listener()
    ports[name] = s.getsockname()[1]
    threading.Thread(target=serve, args=(s, name, session), daemon=True).start()
httpd = Server(("127.0.0.1", 0), Handler)
ports["https"] = httpd.server_address[1]
for name, port in ports.items():
    with open(os.path.join(out, name + ".port.tmp"), "w") as f:
        f.write("%d\n" % port)
    os.rename(os.path.join(out, name + ".port.tmp"), os.path.join(out, name + ".port"))
httpd.serve_forever()

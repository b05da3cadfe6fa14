#!/usr/bin/env python3
"""A scripted login session against a running service (default 127.0.0.1:8484), printing the
transcript: login as a new account (licence), accept, choose a character, log out."""
import json
import socket
import sys

host, port = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8484").rsplit(":", 1)
sock = socket.create_connection((host, int(port)), timeout=15)
lines = sock.makefile("r", encoding="utf-8")


def recv():
    line = lines.readline()
    if not line:
        sys.exit("the server closed the connection")
    print("S:", line.rstrip())
    return json.loads(line)


def send(obj):
    line = json.dumps(obj, separators=(",", ":"))
    print("C:", line)
    sock.sendall(line.encode() + b"\n")


recv()
send({"op": "login", "accountName": "newbie", "password": "newbie"})
answer = recv()
if answer.get("event") == "license_agreement":
    send({"op": "accept_license", "accepted": True})
    answer = recv()
if answer.get("event") != "login_ok":
    sys.exit(f"login failed: {answer}")
send({"op": "select_character", "characterId": 1, "worldId": 0, "channelId": 0})
recv()
send({"op": "logout"})
recv()

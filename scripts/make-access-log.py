#!/usr/bin/env python3
"""Writes N lines of an nginx "combined" access log to stdout for
scripts/bench-stats.sh: a day of a podcast's traffic, with user agents
drawn from the vendored OPAWG examples (apps, libraries, browsers, bots),
50,000 client addresses, byte ranges and whole files of the episodes in
MEDIA_DIR, feed polls and other pages. Seeded: the same N gives the same file.
Usage: make-access-log.py N MEDIA_DIR"""
import json
import os
import random
import sys
from pathlib import Path

n = int(sys.argv[1])
media = Path(sys.argv[2])
root = Path(__file__).resolve().parent.parent / "data" / "opawg-user-agents-v2" / "build"
agents = []
for kind in ["apps", "libraries", "browsers", "bots"]:
    for entry in json.loads((root / f"{kind}.examples.json").read_text())["entries"]:
        agents.extend(entry.get("examples", []))
audio = sorted(p for p in media.iterdir() if p.suffix == ".mp3")
sizes = {p.name: p.stat().st_size for p in audio}
rng = random.Random(n)
clients = [(f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            rng.choice(agents).replace('"', "")) for _ in range(50_000)]
out = sys.stdout
for i in range(n):
    ip, ua = rng.choice(clients)
    second = i * 86_400 // n
    t = f"07/Dec/2026:{second // 3600:02}:{second // 60 % 60:02}:{second % 60:02} +0100"
    r = rng.random()
    if r < 0.6:
        name = rng.choice(audio).name
        size = sizes[name]
        if rng.random() < 0.5:
            line = f'"GET /media/{name} HTTP/1.1" 200 {size}'
        else:
            line = f'"GET /media/{name} HTTP/1.1" 206 {min(size, rng.choice([2, 65536, 1048576]))}'
    elif r < 0.9:
        line = f'"GET /feed.xml HTTP/1.1" {rng.choice([200, 304])} {rng.choice([0, 48213])}'
    else:
        line = f'"GET /avsnitt/{i % 90} HTTP/1.1" 200 {rng.randrange(5000, 20000)}'
    out.write(f'{ip} - - [{t}] {line} "-" "{ua}"\n')

#!/usr/bin/env python3
"""Headless Chromium watches one route's player on the gateway's page for a while.

Prints "PLAYING" once the player has decoded MIN_FRAMES frames (so a test can break the source), then
samples the player every half second for SECONDS and prints one JSON line:
{"samples": [[seconds, framesDecoded, attempts, connection], ...], "errors": [...]}.
`attempts` counts WHEP sessions the player started: 1 means the page never reconnected.
Usage: chromium_watch.py BASE_URL ROUTE SECONDS [MIN_FRAMES]
"""
import json
import sys
import time

from chromium_driver import make_driver

base, route, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
min_frames = int(sys.argv[4]) if len(sys.argv) > 4 else 20
driver = make_driver(console_log=False)
read = ("const p = window.mediabridge && window.mediabridge.players[arguments[0]];"
        "return p ? [p.snapshot.framesDecoded, p.snapshot.attempts, p.snapshot.connection] : [0, 0, 'none'];")
try:
    driver.get(f"{base}/")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and driver.execute_script(read, route)[0] < min_frames:
        time.sleep(0.2)
    print("PLAYING", flush=True)
    start = time.monotonic()
    samples = []
    while time.monotonic() - start < seconds:
        time.sleep(0.5)
        frames, attempts, connection = driver.execute_script(read, route)
        samples.append([round(time.monotonic() - start, 2), frames, attempts, connection])
    print(json.dumps({"samples": samples, "errors": []}), flush=True)
finally:
    driver.quit()

#!/usr/bin/env python3
"""Headless Chromium opens the gateway's page and reads the player of one route.

Waits until the route's player has decoded MIN_FRAMES video frames and heard audio (or SECONDS pass), then
prints one JSON line: the player's snapshot (framesDecoded, audioPackets, audioLevel, firstFrameMs, size,
connection) plus the page's console errors.
Usage: chromium_player.py BASE_URL ROUTE [SECONDS] [MIN_FRAMES]
"""
import json
import sys
import time

from chromium_driver import make_driver, severe_errors

base, route = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 15.0
min_frames = int(sys.argv[4]) if len(sys.argv) > 4 else 30
driver = make_driver(console_log=True)
try:
    driver.get(f"{base}/")
    unmuted = False
    deadline = time.monotonic() + seconds
    snapshot = None
    while time.monotonic() < deadline:
        time.sleep(0.25)
        if not unmuted:
            # The mute toggle, as a user would press it: level is measured on audio that plays out.
            unmuted = driver.execute_script(
                "const b = document.querySelector('.controls button'); if (!b) return false; b.click(); return true;")
        snapshot = driver.execute_script(
            "const p = window.mediabridge && window.mediabridge.players[arguments[0]];"
            "return p ? Object.assign({}, p.snapshot) : null;", route)
        if snapshot and snapshot.get("framesDecoded", 0) >= min_frames and snapshot.get("audioLevel", 0) > 0:
            break
    errors = severe_errors(driver)
    print(json.dumps({"snapshot": snapshot, "errors": errors}), flush=True)
finally:
    driver.quit()

#!/usr/bin/env python3
"""Headless Chromium against the gateway's echo page: prints one JSON line with getStats() figures.

Usage: chromium_echo.py BASE_URL PROFILE [SECONDS] [TRANSPORT]
"""
import json
import sys

from chromium_driver import make_driver

base, profile = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 8.0
transport = sys.argv[4] if len(sys.argv) > 4 else "udp"
driver = make_driver(console_log=False)
try:
    driver.set_script_timeout(seconds + 10)
    driver.get(f"{base}/test/echo")
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"runEcho({json.dumps(profile)}, {seconds}, {json.dumps(transport)}).then(done, e => done({{error: String(e)}}));")
    print(json.dumps(result), flush=True)
finally:
    driver.quit()

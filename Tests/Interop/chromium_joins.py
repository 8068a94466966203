#!/usr/bin/env python3
"""Time to first frame over repeated joins: headless Chromium opens the gateway's page and, JOINS times in a
row, starts a fresh WHEP player on ROUTE, waits for its first decoded frame and stops it. Prints one JSON
line: {"firstFrameMs": [...], "errors": [...]}.
Usage: chromium_joins.py BASE_URL ROUTE JOINS
"""
import json
import sys

from chromium_driver import make_driver

base, route, joins = sys.argv[1], sys.argv[2], int(sys.argv[3])
driver = make_driver(console_log=False)
try:
    driver.set_script_timeout(joins * 10 + 20)
    driver.get(f"{base}/")
    result = driver.execute_async_script("""
        const [route, joins, done] = arguments;
        (async () => {
          const times = [], errors = [];
          for (let i = 0; i < joins; i++) {
            const video = document.createElement("video");
            video.muted = true; video.autoplay = true; video.playsInline = true;
            document.body.append(video);
            const player = new WHEPPlayer("/whep/" + route, video, {});
            await player.start();
            const started = performance.now();
            while (player.snapshot.firstFrameMs === null && performance.now() - started < 8000) {
              await new Promise(r => setTimeout(r, 20));
            }
            if (player.snapshot.firstFrameMs === null) errors.push("join " + i + ": no frame (" + player.snapshot.error + ")");
            else times.push(player.snapshot.firstFrameMs);
            player.stop();
            video.remove();
          }
          return {firstFrameMs: times, errors};
        })().then(done, e => done({firstFrameMs: [], errors: [String(e)]}));
        """, route, joins)
    print(json.dumps(result), flush=True)
finally:
    driver.quit()

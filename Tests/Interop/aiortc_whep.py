#!/usr/bin/env python3
"""aiortc viewers on a gateway route over WHEP.

Starts COUNT receive-only viewers (video + audio) on URL, decodes what arrives for SECONDS, and prints one
JSON line: per viewer the connection state, decoded video frames and audio frames, the time from the POST
to the first decoded video frame, and the video size. Prints "started" first, once every viewer has its
answer, so that a test can kill the process mid-stream (a browser that vanishes without DELETE).
Usage: aiortc_whep.py URL [SECONDS] [COUNT] [--token TOKEN]
"""
import asyncio
import json
import sys
import time
import urllib.request

import aioice.ice
from aiortc import RTCPeerConnection, RTCSessionDescription

aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=False: ["127.0.0.1"]


class Viewer:
    def __init__(self, url, token):
        self.url, self.token = url, token
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")
        self.video = self.audio = 0
        self.first_frame = None
        self.last_frame = None
        self.size = None
        self.location = None
        self.posted = None
        self.tasks = []

        @self.pc.on("track")
        def on_track(track):
            self.tasks.append(asyncio.ensure_future(self.consume(track)))

    async def consume(self, track):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            if track.kind == "video":
                self.video += 1
                self.last_frame = time.monotonic()
                self.size = [frame.width, frame.height]
                if self.first_frame is None:
                    self.first_frame = time.monotonic() - self.posted
            else:
                self.audio += 1

    async def start(self):
        await self.pc.setLocalDescription(await self.pc.createOffer())
        headers = {"Content-Type": "application/sdp"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        request = urllib.request.Request(self.url, data=self.pc.localDescription.sdp.encode(), headers=headers, method="POST")
        loop = asyncio.get_running_loop()
        self.posted = time.monotonic()
        reply = await loop.run_in_executor(None, lambda: urllib.request.urlopen(request, timeout=15))
        self.location = reply.headers.get("Location")
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=reply.read().decode(), type="answer"))

    def result(self):
        return {"connection": self.pc.connectionState, "video": self.video, "audio": self.audio,
                "firstFrame": self.first_frame, "size": self.size, "location": self.location,
                "lastFrameAge": None if self.last_frame is None else time.monotonic() - self.last_frame}


async def main(url, seconds, count, token):
    viewers = [Viewer(url, token) for _ in range(count)]
    await asyncio.gather(*(v.start() for v in viewers))
    print("started", flush=True)
    for _ in range(int(seconds * 10)):
        await asyncio.sleep(0.1)
    results = [v.result() for v in viewers]
    for v in viewers:
        await v.pc.close()
    return {"viewers": results}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    token = None
    if "--token" in sys.argv:
        token = sys.argv[sys.argv.index("--token") + 1]
        args = [a for a in args if a != token]
    url = args[0]
    seconds = float(args[1]) if len(args) > 1 else 5.0
    count = int(args[2]) if len(args) > 2 else 1
    print(json.dumps(asyncio.run(main(url, seconds, count, token))), flush=True)

#!/usr/bin/env python3
"""aiortc (a real WebRTC stack) against the gateway's echo endpoint.

Sends audio over ICE + DTLS + SRTP, receives the gateway's echo, and prints one JSON line:
{"connection": ..., "sent": packets sent, "received": packets received, "frames": decoded frames}.
Usage: aiortc_echo.py URL [SECONDS]
"""
import asyncio
import json
import sys
import urllib.request

import aioice.ice
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack

# aiortc never offers loopback on its own (INTEROP-NOTES.md).
aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=False: ["127.0.0.1"]


async def main(url: str, seconds: float) -> dict:
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())
    frames = 0

    @pc.on("track")
    def on_track(track):
        async def consume():
            nonlocal frames
            while True:
                try:
                    await track.recv()
                except Exception:
                    return
                frames += 1

        asyncio.ensure_future(consume())

    await pc.setLocalDescription(await pc.createOffer())
    request = urllib.request.Request(
        url, data=pc.localDescription.sdp.encode(), headers={"Content-Type": "application/sdp"}, method="POST")
    loop = asyncio.get_running_loop()
    answer = await loop.run_in_executor(None, lambda: urllib.request.urlopen(request, timeout=5).read().decode())
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    for _ in range(int(seconds * 10)):
        await asyncio.sleep(0.1)
        if frames >= 50:
            break
    stats = await pc.getStats()
    result = {
        "connection": pc.connectionState,
        "sent": sum(s.packetsSent for s in stats.values() if s.type == "outbound-rtp"),
        "received": sum(s.packetsReceived for s in stats.values() if s.type == "inbound-rtp"),
        "frames": frames,
    }
    await pc.close()
    return result


if __name__ == "__main__":
    outcome = asyncio.run(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 10.0))
    print(json.dumps(outcome), flush=True)

#!/usr/bin/python3
"""A test camera: gst-rtsp-server with test-pattern mounts. Run with Debian's /usr/bin/python3 (python3-gi).

    rtsp_camera.py --port 0 --mount /test=h264+aac:25 [--mount /v=h265+opus:50] [--user admin --password secret]
                   [--tcp-only]

Prints "READY <port>" once listening (port 0 picks a free one). With --user, every mount needs Digest
credentials; gst answers 404 instead of 401 when a default token lets anonymous users in, so protected
mounts need their own server instance (INTEROP-NOTES.md).
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("Gio", "2.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gio, GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

VIDEO = {
    "h264": "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=25/1 "
            "! x264enc tune=zerolatency key-int-max={keyint} bframes=0 ! rtph264pay name=pay0 pt=96",
    "h265": "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=25/1 "
            "! x265enc tune=zerolatency key-int-max={keyint} ! rtph265pay name=pay0 pt=96",
}
AUDIO = {
    "aac": "audiotestsrc is-live=true wave=sine ! audioconvert ! avenc_aac ! rtpmp4gpay name=pay{n} pt=97",
    "latm": "audiotestsrc is-live=true wave=sine ! audioconvert ! avenc_aac ! rtpmp4apay name=pay{n} pt=97",
    "pcmu": "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 "
            "! mulawenc ! rtppcmupay name=pay{n} pt=0",
    "pcma": "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 "
            "! alawenc ! rtppcmapay name=pay{n} pt=8",
    "opus": "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc ! rtpopuspay name=pay{n} pt=111",
}


def launch_line(spec):
    """`h264+aac:25` -> the factory's launch line (codecs joined by +, then the keyframe interval)."""
    codecs, _, keyint = spec.partition(":")
    parts, n = [], 0
    for codec in codecs.split("+"):
        if codec in VIDEO:
            parts.append(VIDEO[codec].format(keyint=keyint or "25"))
            n = 1
        elif codec in AUDIO:
            parts.append(AUDIO[codec].format(n=n))
            n += 1
        else:
            raise SystemExit(f"unknown codec {codec!r}")
    return "( " + " ".join(parts) + " )"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", default="0")
    parser.add_argument("--mount", action="append", default=[], help="/path=codec+codec:keyint")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--tcp-only", action="store_true", help="answer UDP SETUP with 461 Unsupported Transport")
    parser.add_argument("--tls-pem", help="certificate and key (PEM, one file): serve rtsps:// only")
    args = parser.parse_args()
    Gst.init(None)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(args.port)
    if args.user or args.tls_pem:
        auth = GstRtspServer.RTSPAuth()
        if args.user:
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            token = GstRtspServer.RTSPToken()
            token.set_string("media.factory.role", "viewer")
            auth.add_digest(args.user, args.password, token)
        else:
            token = GstRtspServer.RTSPToken()
            token.set_string("media.factory.role", "viewer")
            auth.set_default_token(token)
        if args.tls_pem:
            with open(args.tls_pem) as pem:
                auth.set_tls_certificate(Gio.TlsCertificate.new_from_pem(pem.read(), -1))
        server.set_auth(auth)

    mounts = server.get_mount_points()
    for mount in args.mount or ["/test=h264+aac:25"]:
        path, _, spec = mount.partition("=")
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(spec))
        factory.set_shared(True)
        if args.tcp_only:
            factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        if args.user or args.tls_pem:
            factory.add_role_from_structure(Gst.Structure.from_string(
                "viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0])
        mounts.add_factory(path, factory)

    if server.attach(None) == 0:
        raise SystemExit("cannot attach the RTSP server")
    print(f"READY {server.get_bound_port()}", flush=True)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Headless Chromium on a gateway call page: answers the first incoming call (autoanswer) or dials TARGET,
then measures audio both ways and sends DTMF.

Prints "READY" once the page's WebSocket says hello (so a test can make the phone call), then waits (at most
WAIT seconds) for the call to be up, samples getStats() for 4 s, sends DIGITS with insertDTMF, waits 2 s, and
prints one JSON line: {"state", "stats": {...}, "digits": [...], "states": [...], "errors": [...]}.
With --series S it then samples the inbound audio (packets, SSRC, loss) every 0.5 s for at most S seconds or
until the call ends ("series" in the JSON); with --hang-up-after S it clicks Hang up S seconds into the call;
with --hold SECONDS it holds the call from the page, waits SECONDS, resumes, and stays 4 s more; with
--codecs opus the page's peer connection takes only those audio codecs (setCodecPreferences before each answer
or offer), as a browser that lacks G.711 would.
Usage: chromium_call.py BASE_URL ROUTE [--dial TARGET] [--digits 123] [--wait 20] [--linger 10] [--series 12]
       [--hang-up-after 2] [--hold 4] [--codecs opus]
"""
import argparse
import json
import time

from chromium_driver import make_driver, severe_errors

parser = argparse.ArgumentParser()
parser.add_argument("base")
parser.add_argument("route")
parser.add_argument("--dial")
parser.add_argument("--digits", default="")
parser.add_argument("--wait", type=float, default=20)
parser.add_argument("--no-answer", action="store_true", help="let incoming calls ring (no autoanswer)")
parser.add_argument("--linger", type=float, default=0, help="seconds to stay in the call before reporting")
parser.add_argument("--hold", type=float, default=0, help="hold the call this long, then resume")
parser.add_argument("--series", type=float, default=0, help="seconds to sample inbound audio every 0.5 s")
parser.add_argument("--hang-up-after", type=float, help="seconds in the call before clicking Hang up")
parser.add_argument("--codecs", help="comma-separated audio codec names the page may use (telephone-event is kept)")
args = parser.parse_args()

# Wraps the page's RTCPeerConnection so that every audio transceiver prefers only the named codecs before an
# answer or offer is made (the page itself is not changed).
CODEC_FILTER = """(() => {
  const wanted = %s.concat(["telephone-event"]);
  const restrict = (pc) => pc.getTransceivers().forEach(t => {
    if (t.receiver.track.kind !== "audio") return;
    t.setCodecPreferences(RTCRtpReceiver.getCapabilities("audio").codecs.filter(c =>
      wanted.includes(c.mimeType.split("/")[1].toLowerCase())));
  });
  const answer = RTCPeerConnection.prototype.createAnswer, offer = RTCPeerConnection.prototype.createOffer;
  RTCPeerConnection.prototype.createAnswer = function () { restrict(this); return answer.apply(this, arguments); };
  RTCPeerConnection.prototype.createOffer = function () { restrict(this); return offer.apply(this, arguments); };
})();"""

INBOUND = """const done = arguments[0];
if (!window.mediabridgeCall.pc) { done(null); return; }
window.mediabridgeCall.pc.getStats().then(report => {
  let out = null;
  report.forEach(s => { if (s.type === "inbound-rtp" && s.kind === "audio")
    out = { packets: s.packetsReceived, lost: s.packetsLost, ssrc: s.ssrc }; });
  done(out);
}).catch(() => done(null));"""

driver = make_driver(console_log=True)
if args.codecs:
    names = [name.strip().lower() for name in args.codecs.split(",") if name.strip()]
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CODEC_FILTER % json.dumps(names)})
state = lambda: driver.execute_script("return window.mediabridgeCall ? window.mediabridgeCall.state : 'none';")
try:
    query = "" if args.dial or args.no_answer else "?autoanswer=1"
    driver.get(f"{args.base}/call/{args.route}{query}")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and state() not in ("ready",):
        time.sleep(0.1)
    print("READY", flush=True)
    states = [state()]
    if args.dial:
        driver.execute_script("document.getElementById('target').value = arguments[0];"
                              "document.getElementById('dial').click();", args.dial)
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline and state() != "in call" and not state().startswith("call ended"):
        # (--no-answer: the loop also records "incoming call from …" and waits for the caller to give up.)
        time.sleep(0.1)
        if states[-1] != state():
            states.append(state())
    if states[-1] != state():
        states.append(state())
    stats = None
    series = []
    if state() == "in call" and args.hang_up_after is not None:
        time.sleep(args.hang_up_after)
        driver.execute_script("document.getElementById('hangup').click();")
        states.append(state())
    if state() == "in call" and args.series:
        start = time.monotonic()
        # A hold from the phone shows as "held by the phone" until it resumes: the call goes on.
        while time.monotonic() - start < args.series and state() in ("in call", "held by the phone"):
            sample = driver.execute_async_script(INBOUND)
            if sample:
                series.append(dict(sample, t=round(time.monotonic() - start, 2)))
            time.sleep(0.5)
        states.append(state())
    if state() == "in call":
        time.sleep(4)
        stats = driver.execute_async_script("const done = arguments[0]; window.mediabridgeCall.audioStats().then(done);")
        if args.digits:
            driver.execute_script("window.mediabridgeCall.sendDigits(arguments[0]);", args.digits)
            time.sleep(2 + 0.2 * len(args.digits))
        if args.hold:
            for on, wanted in ((True, "on hold"), (False, "in call")):
                driver.execute_script("window.mediabridgeCall.hold(arguments[0]);", on)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and state() != wanted:
                    time.sleep(0.1)
                states.append(state())
                time.sleep(args.hold if on else 4)
        time.sleep(args.linger)
    holds = driver.execute_script("return window.mediabridgeCall.holds;")
    digits = driver.execute_script("return window.mediabridgeCall.digits;")
    errors = severe_errors(driver)
    print(json.dumps({"state": state(), "states": states, "stats": stats, "digits": digits, "holds": holds,
                      "errors": errors, "series": series}), flush=True)
finally:
    driver.quit()

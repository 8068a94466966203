/// The call page at `/call/{route}`: rings when a phone calls the route, answers or declines, dials a SIP
/// address or number, hangs up, mutes, shows the call time, sends DTMF (`insertDTMF`) and shows the digits
/// both ways. Plain HTML and
/// JavaScript; signalling over the route's WebSocket, media over WebRTC with the gateway.
/// `?autoanswer=1` answers the first ring by itself (kiosks, intercoms and tests).
enum CallPage {
    static func html(route: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(route) · MediaBridge call</title>
        <style>
          :root { color-scheme: light dark; --muted: #888; }
          body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 28rem; }
          h1 { font-size: 1.3rem; margin: 0 0 .2rem; } .muted { color: var(--muted); }
          #state { font-size: 1.1rem; margin: .8rem 0; min-height: 1.5em; }
          .row { display: flex; gap: .4rem; margin: .5rem 0; } .row input { flex: 1; min-width: 0; font: inherit; padding: .4rem; }
          button { font: inherit; padding: .45rem .9rem; border-radius: .4rem; border: 1px solid #8886; cursor: pointer; }
          button.go { background: #2a2; color: #fff; border: 0; } button.stop { background: #c33; color: #fff; border: 0; }
          button:disabled { opacity: .4; cursor: default; }
          #pad { display: grid; grid-template-columns: repeat(3, 1fr); gap: .3rem; margin: .6rem 0; }
          #digits { font-family: ui-monospace, monospace; min-height: 1.5em; word-break: break-all; }
        </style>
        </head>
        <body>
        <h1>\(route)</h1>
        <div class="muted">MediaBridge call page</div>
        <div id="state">connecting…</div>
        <div class="row"><button id="answer" class="go" disabled>Answer</button><button id="decline" disabled>Decline</button><button id="hangup" class="stop" disabled>Hang up</button><button id="mute" disabled>Mute</button><button id="hold" disabled>Hold</button><span id="timer" class="muted"></span></div>
        <form class="row" id="dialForm"><input id="target" placeholder="number or sip:user@host" autocomplete="off"><button class="go" id="dial">Call</button></form>
        <div id="pad"></div>
        <div class="muted">Digits</div><div id="digits"></div>
        <audio id="remote" autoplay></audio>
        <script>
        \(script)
        </script>
        </body>
        </html>
        """
    }

    static let script = """
    "use strict";
    const route = decodeURIComponent(location.pathname.split("/")[2] || "");
    const params = new URLSearchParams(location.search);
    const $ = (id) => document.getElementById(id);
    const call = window.mediabridgeCall = { state: "connecting", digits: [], holds: [], ws: null, pc: null, callId: null, stats: null };
    function setState(text) { call.state = text; $("state").textContent = text; }
    function buttons(ringing, active) {
      $("answer").disabled = !ringing; $("decline").disabled = !ringing; $("hangup").disabled = !active; $("dial").disabled = active || ringing;
      $("mute").disabled = !active; $("hold").disabled = !active;
      if (!active) $("hold").textContent = "Hold";
    }
    let timer = null;
    function startTimer() {
      const started = Date.now(); clearInterval(timer);
      timer = setInterval(() => { const s = Math.floor((Date.now() - started) / 1000); $("timer").textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }, 1000);
    }
    function stopTimer() { clearInterval(timer); timer = null; }
    $("mute").onclick = () => {
      const senders = call.pc ? call.pc.getSenders().filter(s => s.track) : [];
      const muted = $("mute").textContent === "Unmute";
      for (const s of senders) s.track.enabled = muted;
      $("mute").textContent = muted ? "Mute" : "Unmute";
    };
    call.hold = (on) => send({ type: on ? "hold" : "resume", call: call.callId });
    $("hold").onclick = () => call.hold($("hold").textContent === "Hold");
    function send(message) { call.ws && call.ws.readyState === 1 && call.ws.send(JSON.stringify(message)); }
    async function newPeer() {
      const pc = new RTCPeerConnection();
      call.pc = pc;
      pc.ontrack = (e) => { $("remote").srcObject = e.streams[0] || new MediaStream([e.track]); $("remote").play().catch(() => {}); };
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const track of mic.getTracks()) pc.addTrack(track, mic);
      return pc;
    }
    function closePeer() { if (call.pc) { call.pc.close(); call.pc = null; } }
    async function onOffer(message) {
      const pc = await newPeer();
      await pc.setRemoteDescription({ type: "offer", sdp: message.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      send({ type: "answer", call: message.call, sdp: pc.localDescription.sdp });
      setState("connecting call…");
    }
    async function offerForCall(callId) {
      const pc = await newPeer();
      await pc.setLocalDescription(await pc.createOffer());
      send({ type: "offer", call: callId, sdp: pc.localDescription.sdp });
      setState("connecting call…");
    }
    async function dial(target) {
      const pc = await newPeer();
      await pc.setLocalDescription(await pc.createOffer());
      send({ type: "dial", target, sdp: pc.localDescription.sdp });
      setState("calling " + target + "…"); buttons(false, true);
    }
    function onMessage(message) {
      switch (message.type) {
        case "hello": setState(message.state === "idle" ? "ready" : message.state); buttons(false, false); break;
        case "ringing":
          call.callId = message.call; setState("incoming call from " + (message.caller || "unknown")); buttons(true, false);
          if (params.get("autoanswer") === "1") accept();
          break;
        case "taken": setState("answered elsewhere"); buttons(false, false); break;
        case "offer": onOffer(message); break;
        case "send-offer": offerForCall(message.call); break;
        case "answer": call.pc && call.pc.setRemoteDescription({ type: "answer", sdp: message.sdp }); setState("connecting call…"); break;
        case "progress": setState(message.status === 180 || message.status === 183 ? "ringing…" : "calling…"); break;
        case "connected": setState("in call"); buttons(false, true); startTimer(); break;
        case "held": case "resumed":
          call.holds.push({ type: message.type, from: message.from });
          if (message.from === "browser") $("hold").textContent = message.type === "held" ? "Resume" : "Hold";
          setState(message.type === "resumed" ? "in call" : message.from === "phone" ? "held by the phone" : "on hold");
          break;
        case "dtmf": call.digits.push({ digit: message.digit, from: message.from }); $("digits").textContent += (message.from === "phone" ? "←" : "→") + message.digit + " "; break;
        case "ended": setState("call ended: " + (message.reason || "") + (message.status ? " (" + message.status + ")" : "")); closePeer(); buttons(false, false); stopTimer(); break;
        case "error": setState("error: " + message.message); break;
      }
    }
    function accept() { buttons(false, true); send({ type: "accept", call: call.callId }); setState("answering…"); }
    $("answer").onclick = accept;
    $("decline").onclick = () => { send({ type: "reject" }); buttons(false, false); };
    $("hangup").onclick = () => { send({ type: "hangup" }); closePeer(); buttons(false, false); setState("ready"); };
    $("dialForm").onsubmit = (e) => { e.preventDefault(); const t = $("target").value.trim(); if (t) dial(t); };
    for (const key of "123456789*0#") {
      const b = document.createElement("button"); b.textContent = key; b.type = "button";
      b.onclick = () => {
        const sender = call.pc && call.pc.getSenders().find(s => s.dtmf);
        if (sender) sender.dtmf.insertDTMF(key, 120, 70);
      };
      $("pad").append(b);
    }
    call.sendDigits = (digits) => {
      const sender = call.pc && call.pc.getSenders().find(s => s.dtmf);
      if (!sender) return false;
      sender.dtmf.insertDTMF(digits, 120, 70); return true;
    };
    call.audioStats = async () => {
      if (!call.pc) return null;
      const out = { inbound: 0, outbound: 0, audioLevel: 0, energy: 0, connection: call.pc.connectionState };
      const report = await call.pc.getStats();
      report.forEach(s => {
        if (s.type === "inbound-rtp" && s.kind === "audio") {
          out.inbound = s.packetsReceived; out.audioLevel = s.audioLevel || 0; out.energy = s.totalAudioEnergy || 0;
          out.codec = (report.get(s.codecId) || {}).mimeType;
        }
        if (s.type === "outbound-rtp" && s.kind === "audio") { out.outbound = s.packetsSent; out.sentCodec = (report.get(s.codecId) || {}).mimeType; }
      });
      return out;
    };
    function connect(delay) {
      const token = params.get("token") || localStorage.getItem("mb-token-" + route) || "";
      // The token goes in the first message, never in the socket's URL (logs and proxies keep URLs).
      const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/call/" + encodeURIComponent(route) + "/ws");
      ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token }));
      call.ws = ws;
      ws.onmessage = (e) => onMessage(JSON.parse(e.data));
      ws.onclose = () => { setState("disconnected; reconnecting…"); buttons(false, false); setTimeout(() => connect(Math.min(delay * 2, 10000)), delay); };
    }
    connect(1000);
    """
}

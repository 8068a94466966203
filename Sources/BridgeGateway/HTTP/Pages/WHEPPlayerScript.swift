/// The gateway's WHEP client in plain JavaScript: receive-only video and audio, reconnect with backoff
/// when the session fails, stats once a second (resolution, fps, bitrate, loss, RTT, audio level) and the
/// time from the POST to the first decoded frame. Pages served elsewhere can use it too (CORS is open).
enum WHEPPlayerScript {
    static let source = """
    class WHEPPlayer {
      constructor(url, video, options = {}) {
        this.url = url; this.video = video; this.options = options;
        this.pc = null; this.location = null; this.stopped = false; this.retry = 1000;
        this.snapshot = { connection: "new", framesDecoded: 0, audioPackets: 0, audioLevel: 0, firstFrameMs: null, error: null, attempts: 0 };
        this.last = null;
      }
      status(text) { this.options.onStatus && this.options.onStatus(text); }
      async start() {
        this.stopped = false;
        this.snapshot.attempts += 1;
        const pc = new RTCPeerConnection();
        this.pc = pc;
        pc.addTransceiver("video", { direction: "recvonly" });
        pc.addTransceiver("audio", { direction: "recvonly" });
        const stream = new MediaStream();
        pc.ontrack = (e) => { stream.addTrack(e.track); this.video.srcObject = stream; this.video.play().catch(() => {}); };
        pc.onconnectionstatechange = () => {
          this.snapshot.connection = pc.connectionState;
          if (pc.connectionState === "connected") this.status("");
          if (pc.connectionState === "failed" || pc.connectionState === "closed") this.restart("connection " + pc.connectionState);
        };
        this.postedAt = 0;
        if (this.video.requestVideoFrameCallback) {
          this.video.requestVideoFrameCallback(() => {
            if (this.snapshot.firstFrameMs === null && this.postedAt) this.snapshot.firstFrameMs = Math.round(performance.now() - this.postedAt);
          });
        }
        try {
          await pc.setLocalDescription(await pc.createOffer());
          const headers = { "Content-Type": "application/sdp" };
          if (this.options.token) headers["Authorization"] = "Bearer " + this.options.token;
          this.postedAt = performance.now();
          const reply = await fetch(this.url, { method: "POST", headers, body: pc.localDescription.sdp });
          const body = await reply.text();
          if (reply.status !== 201) throw new Error(reply.status + " " + body.trim());
          this.location = new URL(reply.headers.get("Location"), new URL(this.url, location.href)).href;
          await pc.setRemoteDescription({ type: "answer", sdp: body });
          this.status("waiting for video…");
          this.retry = 1000;
          this.snapshot.error = null;
          this.poll();
        } catch (e) {
          this.snapshot.error = String(e.message || e);
          this.restart(this.snapshot.error);
        }
      }
      restart(reason) {
        if (this.stopped) return;
        this.teardown();
        this.status(reason + " (retrying in " + Math.round(this.retry / 1000) + " s)");
        const delay = this.retry; this.retry = Math.min(this.retry * 2, 30000);
        this.timer = setTimeout(() => this.start(), delay);
      }
      teardown() {
        clearTimeout(this.timer); clearTimeout(this.pollTimer);
        if (this.location) {
          const headers = this.options.token ? { "Authorization": "Bearer " + this.options.token } : {};
          fetch(this.location, { method: "DELETE", headers, keepalive: true }).catch(() => {});
          this.location = null;
        }
        if (this.pc) { this.pc.onconnectionstatechange = null; this.pc.close(); this.pc = null; }
      }
      stop() { this.stopped = true; this.teardown(); }
      async poll() {
        if (!this.pc) return;
        const pc = this.pc;
        const report = await pc.getStats();
        const s = this.snapshot, now = performance.now();
        let bytes = 0;
        report.forEach(r => {
          if (r.type === "inbound-rtp" && r.kind === "video") {
            s.framesDecoded = r.framesDecoded || 0; s.width = r.frameWidth; s.height = r.frameHeight;
            s.fps = r.framesPerSecond || 0; s.videoLost = r.packetsLost || 0; s.videoPackets = r.packetsReceived || 0;
            s.keyframesDecoded = r.keyFramesDecoded || 0; s.decoder = r.decoderImplementation;
            bytes += r.bytesReceived || 0;
          }
          if (r.type === "inbound-rtp" && r.kind === "audio") {
            s.audioPackets = r.packetsReceived || 0; s.audioLevel = r.audioLevel || 0; s.audioLost = r.packetsLost || 0;
            s.audioEnergy = r.totalAudioEnergy || 0;
            bytes += r.bytesReceived || 0;
          }
          if (r.type === "candidate-pair" && r.nominated && r.currentRoundTripTime !== undefined) s.rtt = r.currentRoundTripTime;
        });
        if (this.last) s.kbps = Math.round((bytes - this.last.bytes) * 8 / (now - this.last.at));
        this.last = { bytes, at: now };
        if (s.framesDecoded > 0 && s.firstFrameMs === null) s.firstFrameMs = Math.round(now - this.postedAt);
        this.options.onStats && this.options.onStats(s);
        this.pollTimer = setTimeout(() => this.poll(), 1000);
      }
      static describe(s) {
        const lost = (s.videoLost || 0) + (s.audioLost || 0);
        return (s.width ? s.width + "x" + s.height : "no video") + " " + (s.fps || 0) + " fps\\n" +
          (s.kbps || 0) + " kbit/s · lost " + lost + "\\n" +
          "rtt " + (s.rtt !== undefined ? Math.round(s.rtt * 1000) + " ms" : "–") +
          " · audio " + (s.audioLevel || 0).toFixed(2) +
          (s.firstFrameMs !== null ? "\\nfirst frame " + s.firstFrameMs + " ms" : "");
      }
    }
    """
}

/// The page at `/`: every route with a live player (the gateway's own WHEP client, plain JavaScript with
/// no build step), its state and error, a mute toggle and a stats overlay. Players reconnect on failure.
enum IndexPage {
    static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>MediaBridge</title>
    <style>
    \(style)
    </style>
    </head>
    <body>
    <header><h1>MediaBridge</h1><span class="muted" id="version"></span></header>
    <p class="muted" id="summary">Loading routes…</p>
    <main id="routes"></main>
    <section id="calls" hidden><h2 style="font-size:1.1rem">Call routes</h2><ul id="callList"></ul></section>
    <script>
    \(WHEPPlayerScript.source)
    \(script)
    </script>
    </body>
    </html>
    """

    static let style = """
      :root { color-scheme: light dark; --accent: #2f6fde; --muted: #888; }
      body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 80rem; }
      header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
      h1 { font-size: 1.4rem; margin: 0; }
      .muted { color: var(--muted); }
      #routes { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 24rem), 1fr)); gap: 1rem; margin-top: 1rem; }
      .route { border: 1px solid #8884; border-radius: .6rem; overflow: hidden; }
      .route .info { padding: .6rem .8rem; }
      .route h2 { font-size: 1.05rem; margin: 0 .4rem 0 0; display: inline; }
      .screen { position: relative; background: #000; aspect-ratio: 16 / 9; }
      .screen video { width: 100%; height: 100%; object-fit: contain; display: block; }
      .overlay { position: absolute; left: .4rem; top: .4rem; font: 12px/1.35 ui-monospace, monospace; color: #fff;
                 background: #0009; padding: .2rem .4rem; border-radius: .3rem; white-space: pre; pointer-events: none; }
      .overlay.hidden { display: none; }
      .controls { position: absolute; right: .4rem; bottom: .4rem; display: flex; gap: .3rem; }
      .controls button { font: inherit; font-size: .8rem; border: 0; border-radius: .3rem; padding: .25rem .55rem;
                         background: #000a; color: #fff; cursor: pointer; }
      .status { position: absolute; inset: 0; display: grid; place-items: center; color: #ddd; font-size: .9rem;
                text-align: center; padding: 1rem; pointer-events: none; }
      .source { font-family: ui-monospace, monospace; font-size: .8rem; word-break: break-all; }
      .state { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .8rem; background: #8882; }
      .state.live { background: #2a2; color: #fff; } .state.error { background: #c33; color: #fff; }
      .error { color: #d44; font-size: .85rem; }
      .token { display: flex; gap: .3rem; margin-top: .4rem; } .token input { flex: 1; min-width: 0; }
    """

    static let script = """
    "use strict";
    const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
    const cards = new Map();
    window.mediabridge = { players: {} };

    function makeCard(route) {
      const card = el("section", "route");
      const screen = el("div", "screen");
      const video = el("video"); video.autoplay = true; video.muted = true; video.playsInline = true;
      const overlay = el("div", "overlay hidden");
      const status = el("div", "status", "connecting…");
      const controls = el("div", "controls");
      const mute = el("button", null, "unmute"), stats = el("button", null, "stats");
      mute.onclick = () => { video.muted = !video.muted; mute.textContent = video.muted ? "unmute" : "mute"; video.play().catch(() => {}); };
      stats.onclick = () => overlay.classList.toggle("hidden");
      controls.append(mute, stats);
      screen.append(video, status, overlay, controls);
      const info = el("div", "info");
      const title = el("h2", null, route.name), state = el("span", "state"), mode = el("span", "muted");
      const source = el("div", "source"), error = el("div", "error");
      info.append(title, state, " ", mode, source, error);
      card.append(screen, info);
      const entry = { card, state, mode, source, error, video, status, overlay, player: null };
      if (route.protected) {
        const form = el("form", "token"), input = el("input"), go = el("button", null, "play");
        input.type = "password"; input.placeholder = "route token"; input.value = localStorage.getItem("mb-token-" + route.name) || "";
        form.append(input, go);
        form.onsubmit = (e) => { e.preventDefault(); localStorage.setItem("mb-token-" + route.name, input.value); startPlayer(entry, route, input.value); };
        info.append(form);
        if (input.value) startPlayer(entry, route, input.value); else status.textContent = "this route needs a token";
      } else {
        startPlayer(entry, route, null);
      }
      return entry;
    }

    function startPlayer(entry, route, token) {
      if (entry.player) entry.player.stop();
      const player = new WHEPPlayer("/whep/" + encodeURIComponent(route.name), entry.video, {
        token,
        onStatus: (text) => { entry.status.textContent = text; },
        onStats: (s) => { entry.overlay.textContent = WHEPPlayer.describe(s); },
      });
      entry.player = player;
      window.mediabridge.players[route.name] = player;
      player.start();
    }

    async function refresh() {
      try {
        const health = await (await fetch("/healthz")).json();
        document.getElementById("version").textContent = "version " + health.version;
        const { routes } = await (await fetch("/api/v1/routes")).json();
        document.getElementById("summary").textContent = routes.length === 1 ? "1 route" : routes.length + " routes";
        const list = document.getElementById("routes");
        for (const route of routes) {
          let entry = cards.get(route.name);
          if (!entry) { entry = makeCard(route); cards.set(route.name, entry); list.append(entry.card); }
          entry.state.textContent = route.state; entry.state.className = "state " + route.state;
          entry.mode.textContent = route.mode + (route.protected ? " · token" : "");
          entry.source.textContent = route.source;
          entry.error.textContent = [route.error, route.warning].filter(Boolean).join(" · ");
        }
        const calls = await fetch("/api/v1/calls").then(r => r.ok ? r.json() : { calls: [] }).catch(() => ({ calls: [] }));
        const callList = document.getElementById("callList");
        document.getElementById("calls").hidden = !(calls.calls && calls.calls.length);
        callList.replaceChildren(...(calls.calls || []).map(c => {
          const item = el("li"), link = el("a", null, c.name);
          link.href = "/call/" + encodeURIComponent(c.name);
          item.append(link, " ", el("span", "muted", c.registration ? "registration " + c.registration.state : (c.trunkUser ? "trunk " + c.trunkUser : "")));
          return item;
        }));
      } catch (e) {
        document.getElementById("summary").textContent = "Gateway unreachable: " + e;
      }
    }
    refresh();
    setInterval(refresh, 5000);
    window.addEventListener("pagehide", () => { for (const entry of cards.values()) entry.player && entry.player.stop(); });
    """
}

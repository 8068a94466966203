/// The page at `/`: the list of routes with their state. Plain HTML and JavaScript, no build step.
/// The player comes with WHEP; until then each route shows its state and source.
enum IndexPage {
    static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>MediaBridge</title>
    <style>
      :root { color-scheme: light dark; --accent: #2f6fde; --muted: #777; }
      body { font: 15px/1.5 system-ui, sans-serif; margin: 0; padding: 1.5rem; max-width: 60rem; margin-inline: auto; }
      header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
      h1 { font-size: 1.4rem; margin: 0; }
      .muted { color: var(--muted); }
      #routes { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 1rem; margin-top: 1.5rem; }
      .route { border: 1px solid #8884; border-radius: .6rem; padding: 1rem; }
      .route h2 { font-size: 1.05rem; margin: 0 0 .3rem; }
      .source { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
      .state { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .8rem; background: #8882; }
      .state.live { background: #2a2; color: #fff; } .state.error { background: #c33; color: #fff; }
      .error { color: #c33; font-size: .9rem; }
    </style>
    </head>
    <body>
    <header><h1>MediaBridge</h1><span class="muted" id="version"></span></header>
    <p class="muted" id="summary">Loading routes…</p>
    <main id="routes"></main>
    <script>
    "use strict";
    const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
    async function refresh() {
      try {
        const health = await (await fetch("/healthz")).json();
        document.getElementById("version").textContent = "version " + health.version;
        const { routes } = await (await fetch("/api/v1/routes")).json();
        document.getElementById("summary").textContent = routes.length === 1 ? "1 route" : routes.length + " routes";
        const list = document.getElementById("routes");
        list.replaceChildren(...routes.map(r => {
          const card = el("section", "route");
          card.append(el("h2", null, r.name));
          card.append(el("span", "state " + r.state, r.state), " ", el("span", "muted", r.mode + (r.protected ? " · token" : "")));
          card.append(el("div", "source", r.source));
          if (r.error) card.append(el("div", "error", r.error));
          return card;
        }));
      } catch (e) {
        document.getElementById("summary").textContent = "Gateway unreachable: " + e;
      }
    }
    refresh();
    setInterval(refresh, 5000);
    </script>
    </body>
    </html>
    """
}

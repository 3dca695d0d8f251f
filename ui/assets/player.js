// Backprop Explorer's graph player: plays pre-rendered SVG frames in the browser.
// Every frame shares one layout, so swapping frames never moves a node; the edge of
// the current event gets a marker travelling along it (backward: against its path).
// The step is reported to Python only when the player stops or the user steps, so
// playback itself needs no server round trip.
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".bp-player");
  if (!root) {
    root = document.createElement("div");
    root.className = "bp-player";
    root.innerHTML = `
      <div class="bp-bar">
        <button data-act="first" title="Back to the start"><svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M6 6h2v12H6zm3.5 6 8.5 6V6z"/></svg></button>
        <button data-act="prev" title="Previous step"><svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M15.4 7.4 14 6l-6 6 6 6 1.4-1.4L10.8 12z"/></svg></button>
        <button data-act="play" class="bp-play" title="Play / pause">Play</button>
        <button data-act="next" title="Next step"><svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M8.6 16.6 10 18l6-6-6-6-1.4 1.4 4.6 4.6z"/></svg></button>
        <button data-act="last" title="Everything has flowed"><svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="M6 18l8.5-6L6 6zm10-12v12h2V6z"/></svg></button>
        <input class="bp-scrub" type="range" min="0" value="0" aria-label="Step">
        <select class="bp-speed" aria-label="Speed" title="Speed">
          <option value="2000">0.5×</option><option value="1000" selected>1×</option>
          <option value="500">2×</option><option value="250">4×</option>
        </select>
      </div>
      <div class="bp-title"></div>
      <div class="bp-stage"></div>`;
    parentElement.appendChild(root);
    root.__s = { step: 0, timer: null, signature: null, sent: null };
    root.addEventListener("click", (ev) => {
      const act = ev.target.closest("button")?.dataset.act;
      const s = root.__s;
      if (!act) {
        const g = ev.target.closest("g.edge, g.node");
        if (g && g.id) setStateValue("selected", g.id);
        return;
      }
      if (act === "play") return s.timer ? stop(root, true) : play(root);
      stop(root, false);
      const last = s.frames.length - 1;
      const to = { first: 0, prev: s.step - 1, next: s.step + 1, last }[act];
      show(root, Math.max(0, Math.min(last, to)), true);
    });
    root.querySelector(".bp-scrub").addEventListener("input", (ev) => {
      stop(root, false);
      show(root, Number(ev.target.value), true);
    });
    root.querySelector(".bp-speed").addEventListener("change", () => {
      if (root.__s.timer) { stop(root, false); play(root); }
    });
  }
  const s = root.__s;
  s.report = (step) => { s.sent = step; setStateValue("step", step); };
  if (s.signature !== data.signature) {
    // A new graph: take its frames and the step Python asks for.
    s.signature = data.signature;
    s.frames = data.frames;
    s.titles = data.titles;
    s.active = data.active;
    root.querySelector(".bp-scrub").max = String(data.frames.length - 1);
    stop(root, false);
    show(root, Math.min(data.step, data.frames.length - 1), false);
  } else if (data.step !== s.step && data.step !== s.sent && !s.timer) {
    show(root, data.step, false);  // Python moved the step (a jump from the step list)
  }
  if (data.autoplay && !s.autoplayed) { s.autoplayed = true; play(root); }
  return () => stop(root, false);
}

function play(root) {
  const s = root.__s;
  if (s.step >= s.frames.length - 1) show(root, 0, false);
  root.querySelector(".bp-play").textContent = "Pause";
  const ms = Number(root.querySelector(".bp-speed").value);
  s.timer = setInterval(() => {
    if (s.step >= s.frames.length - 1) return stop(root, true);
    show(root, s.step + 1, false);
  }, ms);
}

function stop(root, report) {
  const s = root.__s;
  if (s.timer) { clearInterval(s.timer); s.timer = null; }
  root.querySelector(".bp-play").textContent = "Play";
  if (report) s.report(s.step);
}

function show(root, step, report) {
  const s = root.__s;
  s.step = step;
  const stage = root.querySelector(".bp-stage");
  stage.innerHTML = s.frames[step];
  const svg = stage.querySelector("svg");
  if (svg) { svg.setAttribute("width", "100%"); svg.removeAttribute("height"); }
  root.querySelector(".bp-title").textContent = s.titles[step];
  root.querySelector(".bp-scrub").value = String(step);
  root.dataset.step = String(step);
  addMarker(stage, s.active[step]);
  if (report) s.report(step);
}

function addMarker(stage, active) {
  if (!active) return;
  const edge = stage.querySelector(`g[id="${CSS.escape(active.id)}"]`);
  const path = edge && edge.querySelector("path");
  if (!path) return;
  const ns = "http://www.w3.org/2000/svg";
  const dot = document.createElementNS(ns, "circle");
  dot.setAttribute("r", "6");
  dot.setAttribute("class", "bp-marker");
  dot.setAttribute("fill", active.color);
  const motion = document.createElementNS(ns, "animateMotion");
  motion.setAttribute("dur", "0.9s");
  motion.setAttribute("repeatCount", "indefinite");
  motion.setAttribute("path", path.getAttribute("d"));
  motion.setAttribute("keyPoints", active.backward ? "1;0" : "0;1");
  motion.setAttribute("keyTimes", "0;1");
  motion.setAttribute("calcMode", "linear");
  dot.appendChild(motion);
  edge.appendChild(dot);
}

// The Train page's film (ui/film.py): a training run's snapshots (engine/film.py) played
// in the browser, with no server round trip per frame. Each frame redraws the loss
// cursor, the gradient norms, and, for 2-D inputs, the decision boundary and every
// neuron's own output over the input plane, from one forward pass over a grid
// (FilmMath; the drawing is FilmDraw, both just above). The frame goes to Python only
// with "Inspect in Explore" and "Train on from here" (trigger values): a report at
// every pause or step would rerun the whole Train page (its charts too) each time, and
// the film would stall meanwhile.

function html() {
  // icons as SVG paths (the player's): a font may lack ⏮ and ⏭
  const icon = (d) => '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="' + d + '"/></svg>';
  const b = (act, label, path, key) =>
    '<button type="button" data-act="' + act + '" aria-label="' + label + '" title="' + label + " (" + key + ')">' + icon(path) + "</button>";
  return '<div class="bf-bar" role="toolbar" aria-label="Film controls">' +
    b("first", "Rewind to the start", "M6 6h2v12H6zm3.5 6 8.5 6V6z", "Home") +
    b("prev", "Previous frame", "M15.4 7.4 14 6l-6 6 6 6 1.4-1.4L10.8 12z", "←") +
    '<button type="button" data-act="play" class="bf-play" title="Play / pause (space)">Play</button>' +
    b("next", "Next frame", "M8.6 16.6 10 18l6-6-6-6-1.4 1.4 4.6 4.6z", "→") +
    b("last", "Last frame", "M6 18l8.5-6L6 6zm10-12v12h2V6z", "End") +
    '<input class="bf-scrub" type="range" min="0" value="0" step="1" aria-label="Frame">' +
    '<label class="bf-speed-label">Speed <select class="bf-speed" aria-label="Speed, frames per second">' +
    [5, 10, 20, 30, 60].map((v) => '<option value="' + v + '"' + (v === 20 ? " selected" : "") + ">" + v + " frames/s</option>").join("") +
    "</select></label></div>" +
    '<div class="bf-status" role="status" aria-live="polite"></div>' +
    '<div class="bf-grid">' +
    '<figure class="bf-plane"><canvas class="bf-boundary" width="320" height="320" role="img"></canvas>' +
    "<figcaption class=\"bf-plane-cap\"></figcaption></figure>" +
    '<figure><canvas class="bf-loss" width="420" height="200" role="img"></canvas><figcaption class="bf-loss-cap"></figcaption></figure>' +
    '<figure><canvas class="bf-norms" width="420" height="150" role="img"></canvas>' +
    '<figcaption class="bf-norms-cap"></figcaption></figure>' +
    "</div>" +
    '<figure class="bf-net-fig"><canvas class="bf-net" width="900" height="300" role="img"></canvas>' +
    '<figcaption class="bf-net-cap"></figcaption></figure>' +
    '<div class="bf-use"><button type="button" data-act="inspect" class="bf-inspect">Inspect this epoch in Explore</button>' +
    '<button type="button" data-act="resume" class="bf-resume">Train on from here</button></div>';
}

function Film(root) {
  root.className = "bf-film";
  root.tabIndex = 0;
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", "Training film. Space plays or pauses, the arrows step, Home rewinds, + and − change the speed.");
  root.innerHTML = html();
  const q = (s) => root.querySelector(s);
  const f = { root: root, frame: 0, playing: false, painted: 0, host: {} };
  root.dataset.playing = "0";
  let d = null, draw = null, raf = 0, last = 0, owed = 0;

  f.load = function (data) {
    d = data;
    d.W = FilmMath.unpack(data.weights);
    d.train = FilmMath.unpack(data.train_loss);
    d.test = data.test_loss ? FilmMath.unpack(data.test_loss) : null;
    d.norms = FilmMath.unpack(data.grad_norms);
    // With a penalty, train is the objective (mean loss + P) and pen holds its two parts.
    const pen = data.penalty;
    d.pen = pen ? { data: FilmMath.unpack(pen.data_loss), P: FilmMath.unpack(pen.P), labels: pen.labels } : null;
    d.cols = FilmMath.columns(data.layers);
    d.n = data.steps.length;
    if (data.plane) {
      const p = data.plane;
      d.pts = FilmMath.unpack(p.x); d.lab = FilmMath.unpack(p.y);
      d.tpts = FilmMath.unpack(p.test_x); d.tlab = FilmMath.unpack(p.test_y);
      d.grid = FilmMath.grid(p.bounds, R);
    }
    q(".bf-plane").hidden = !data.plane;
    const scale = data.plane ? FilmMath.planeScale(data.plane, data.size_out) : "";
    q(".bf-plane-cap").textContent = (data.plane && data.plane.task === "regression" ? "The model's output" : "Decision boundary") +
      " and the data" + (d.tlab && d.tlab.length ? " (hollow: test rows)" : "") + ": " + scale;
    q(".bf-scrub").max = String(d.n - 1);
    const L = d.pen && d.pen.labels;
    q(".bf-loss-cap").textContent = (L
      ? L.total + " over the training rows (blue), its " + L.data + " (blue, dotted) and " + L.penalty + " (grey)" +
        (d.test ? ", the test rows' " + L.data + " (orange, dashed)" : "") + ", at each frame's weights; " + pen.lambdas
      : "Loss over the training rows" + (d.test ? " (blue) and the test rows (orange, dashed)" : "") + ", at each frame's weights");
    q(".bf-norms-cap").textContent = "Gradient norm per layer, ‖δw‖" + (L ? " of " + L.total : "") +
      " over the training rows (log scale)";
    // Every picture's colours said: the one output is drawn on the plane's scale (FilmDraw's
    // drawNet), where orange is high (class 1), the opposite of a hidden neuron's orange.
    const edges = "edges: thickness |w|, blue w > 0, orange w < 0";
    q(".bf-net-cap").textContent = !data.plane ? "Edges: thickness |w|, blue w > 0, orange w < 0 (neuron pictures need 2 inputs)"
      : data.plane.task === "classes"
        ? "Each neuron's output over the input plane, the outputs' too (one per class): blue positive, " +
          "orange negative, not the classes' colours; " + edges
        : "Each neuron's output over the input plane; inputs and hidden neurons: blue positive, orange negative; " +
          "the output: coloured as the " + (data.plane.task === "binary" ? "decision boundary" : "plane") + ", " +
          scale + "; " + edges;
    draw = FilmDraw(q, d);
    f.show(Math.max(0, Math.min(d.n - 1, data.frame || 0)));
  };

  f.weightsAt = (k) => d.W.subarray(k * d.n_params, (k + 1) * d.n_params);

  // The boundary's grid through the network at frame k: every layer's output (tests read it).
  f.gridOutputs = function (k) {
    return { points: Array.from(d.grid), outs: FilmMath.forward(d.layers, f.weightsAt(k), d.grid, R * R).map((o) => Array.from(o)) };
  };

  f.show = function (k) {
    f.frame = k;
    root.dataset.frame = String(k);
    q(".bf-scrub").value = String(k);
    // A frame holds the weights after its step's update (frame 0: before step 1), and the
    // loss at those weights: the loss chart's "step N" is step N's batch before its update.
    const step = d.steps[k], of = " of " + d.total_steps.toLocaleString("en");
    q(".bf-status").textContent = "Frame " + (k + 1) + " of " + d.n + " · " +
      (step === 0 ? "before step 1" + of : "after step " + step.toLocaleString("en") + of + " · epoch " + d.epochs[k]) +
      " · " + lossText(k);
    draw.frame(k, d.plane ? FilmMath.forward(d.layers, f.weightsAt(k), d.grid, R * R) : null);
    f.painted++;
  };

  const fmt = (v) => draw.fmt(v);
  // "loss 0.1234 (test …)"; with a penalty "mean loss + P = 0.1200 + 0.0034 = 0.1234",
  // the sum written as Explore's chain-rule panel writes the objective
  function lossText(k) {
    if (!d.pen) return "loss " + fmt(d.train[k]) + (d.test ? " (test " + fmt(d.test[k]) + ")" : "");
    const L = d.pen.labels;
    return L.total + " = " + sumText(d.pen.data[k], d.pen.P[k], d.train[k]) +
      (d.test ? " (test " + L.data + " " + fmt(d.test[k]) + ")" : "");
  }

  // "a + b = c" written as a column of sums is: every term to the same decimal place, the
  // total's 4 significant digits or finer, so that each part shows 2 significant digits.
  // 4 significant digits each wrote 0.1667 + 0.00005745 = 0.1667 (a + b = a to a learner);
  // now 0.166667 + 0.000057 = 0.166724. A part under ~1e-8 of the total, or a total past
  // 1e6, would need too many digits: each is then written on its own.
  function sumText(a, b, c) {
    const places = (v, digits) => (v === 0 ? -Infinity : digits - 1 - Math.floor(Math.log10(Math.abs(v))));
    const D = Math.max(0, places(c, 4), places(a, 2), places(b, 2));
    if (![a, b, c].every(Number.isFinite) || Math.abs(c) >= 1e6 || D > Math.max(0, places(c, 10)))
      return fmt(a) + " + " + fmt(b) + " = " + fmt(c);
    return a.toFixed(D) + " + " + b.toFixed(D) + " = " + c.toFixed(D);
  }

  // --- playing -----------------------------------------------------------------------
  function tick(t) {
    if (!f.playing) return;
    if (!root.isConnected) { f.pause(); return; }  // the page took the film away
    const fps = Number(q(".bf-speed").value);
    // At most one frame per paint: after a stall (the page busy drawing) the film goes
    // on from where it was, rather than jumping ahead by the frames it owes.
    owed = Math.min(1, owed + (last ? (t - last) * fps / 1000 : 1));
    last = t;
    if (owed >= 1) {
      const k = Math.min(d.n - 1, f.frame + 1);
      owed -= 1;
      f.show(k);
      if (k >= d.n - 1) { f.pause(); return; }
    }
    raf = requestAnimationFrame(tick);
  }
  f.play = function () {
    if (f.playing || !d) return;
    if (f.frame >= d.n - 1) f.show(0);
    f.playing = true; last = 0; owed = 0;
    q(".bf-play").textContent = "Pause";
    q(".bf-status").setAttribute("aria-live", "off");  // no announcement per frame while it plays
    root.dataset.playing = "1";
    raf = requestAnimationFrame(tick);
  };
  f.pause = function () {
    if (!f.playing) return;
    f.playing = false; cancelAnimationFrame(raf);
    q(".bf-play").textContent = "Play";
    q(".bf-status").setAttribute("aria-live", "polite");
    root.dataset.playing = "0";
  };
  f.go = function (k) {
    f.pause();
    f.show(Math.max(0, Math.min(d.n - 1, k)));
  };

  root.addEventListener("click", function (ev) {
    const b = ev.target.closest("button");
    if (!b || !d) return;
    const act = b.dataset.act;
    if (act === "play") f.playing ? f.pause() : f.play();
    else if (act === "first") f.go(0);
    else if (act === "prev") f.go(f.frame - 1);
    else if (act === "next") f.go(f.frame + 1);
    else if (act === "last") f.go(d.n - 1);
    else if ((act === "inspect" || act === "resume") && f.host[act]) { f.pause(); f.host[act](f.frame); }
  });
  q(".bf-scrub").addEventListener("input", (ev) => f.go(Number(ev.target.value)));
  root.addEventListener("keydown", function (ev) {
    const tag = ev.target.tagName;
    if (!d || tag === "SELECT" || tag === "INPUT") return;  // their own keys
    if (tag === "BUTTON" && (ev.key === " " || ev.key === "Enter")) return;  // the button's own action
    const sp = q(".bf-speed");
    const keys = {
      " ": () => (f.playing ? f.pause() : f.play()), "k": () => (f.playing ? f.pause() : f.play()),
      "ArrowRight": () => f.go(f.frame + 1), "ArrowLeft": () => f.go(f.frame - 1),
      "Home": () => f.go(0), "End": () => f.go(d.n - 1),
      "+": () => { sp.selectedIndex = Math.min(sp.options.length - 1, sp.selectedIndex + 1); },
      "-": () => { sp.selectedIndex = Math.max(0, sp.selectedIndex - 1); },
    };
    if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
  });
  return f;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".bf-film");
  if (!root) {
    root = document.createElement("div");
    parentElement.appendChild(root);
    root.bpFilm = Film(root);
    root.bpFilm.signature = null;
  }
  const f = root.bpFilm;
  f.host.inspect = (k) => setTriggerValue("inspect", k);
  f.host.resume = (k) => setTriggerValue("resume", k);
  if (f.signature !== data.signature) {  // a new run: its frames; else the film keeps its own frame
    f.signature = data.signature;
    f.load(data);
    if (data.autoplay) f.play();
  }
  // Streamlit also runs this cleanup when a newer rerun's render overtook this one (see
  // ui/assets/player.js): only a film that has left the page pauses (its tick checks too).
  return () => { if (!root.isConnected) f.pause(); };
}

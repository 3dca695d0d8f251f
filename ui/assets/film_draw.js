// The Train film's pictures (ui/assets/film.js plays them): the loss with its cursor,
// the gradient norms, the decision boundary over the points and the network with each
// neuron's own output over the input plane, each from a frame's data. FilmDraw(q, d):
// q finds an element of the film, d is the film's data as film.js unpacked it.
const R = 40;  // grid points per side: 1,600 forward passes a frame
const PEN_GREY = "#6e7781";  // the penalty P's line in the loss picture

function FilmDraw(q, d) {
  let lossImg = null;
  function fmt(v) { return Number.isFinite(v) ? v.toPrecision(4) : "—"; }
  const tiles = {};
  function tile(key) {  // an R × R offscreen canvas per picture, scaled when drawn
    if (!tiles[key]) {
      const c = document.createElement("canvas");
      c.width = c.height = R;
      c.img = c.getContext("2d").createImageData(R, R);  // reused: no allocation per frame
      tiles[key] = c;
    }
    return tiles[key];
  }

  function drawBoundary(outs) {
    const p = d.plane, out = outs[outs.length - 1], m = d.size_out, t = tile("out");
    const ctx = t.getContext("2d"), img = t.img;
    for (let i = 0; i < R * R; i++) {
      if (p.task === "classes") {
        let best = 0, mx = -Infinity, s = 0;
        for (let j = 0; j < m; j++) if (out[i * m + j] > mx) { mx = out[i * m + j]; best = j; }
        for (let j = 0; j < m; j++) s += Math.exp(out[i * m + j] - mx);
        const c = FilmMath.CLASSES[best % 6], a = 0.15 + 0.45 * (1 / s - 1 / m) / (1 - 1 / m);  // 1/s: its probability
        img.data[i * 4] = 255 + (c[0] - 255) * a; img.data[i * 4 + 1] = 255 + (c[1] - 255) * a;
        img.data[i * 4 + 2] = 255 + (c[2] - 255) * a; img.data[i * 4 + 3] = 255;
      } else {
        FilmMath.twoClass((out[i] - p.range[0]) / (p.range[1] - p.range[0]), img.data, i * 4);
      }
    }
    ctx.putImageData(img, 0, 0);
    const cv = q(".bf-boundary"), g = cv.getContext("2d"), W = cv.width, H = cv.height;
    // grid point c lies at c/(R−1) of the width: pixel centres there, half a cell past each side
    const cw = W / (R - 1), ch = H / (R - 1);
    g.imageSmoothingEnabled = true;
    g.drawImage(t, -cw / 2, -ch / 2, W + cw, H + ch);
    if (p.task === "binary") contour(g, out, 0.5, cw, ch);
    g.drawImage(dots(W, H), 0, 0);
  }

  // The data points never move: drawn once per film on a transparent layer.
  function dots(W, H) {
    const t = tiles.dots || (tiles.dots = document.createElement("canvas"));
    if (t.width === W && t.height === H && t.film === d) return t;
    t.width = W; t.height = H; t.film = d;
    const g = t.getContext("2d"), p = d.plane, [x0, x1, y0, y1] = p.bounds;
    const dot = (pts, lab, hollow) => {
      for (let i = 0; i < lab.length; i++) {
        const X = (pts[2 * i] - x0) / (x1 - x0) * W, Y = (1 - (pts[2 * i + 1] - y0) / (y1 - y0)) * H;
        let c;
        if (p.task === "regression") { const a = []; FilmMath.twoClass((lab[i] - p.range[0]) / (p.range[1] - p.range[0]), a, 0); c = "rgb(" + a[0] + "," + a[1] + "," + a[2] + ")"; }
        else c = FilmMath.rgb(FilmMath.CLASSES[lab[i] % 6]);
        g.beginPath(); g.arc(X, Y, 3.5, 0, 6.2832);
        g.fillStyle = hollow ? "#fff" : c; g.fill();
        // a regression's colours fade to white near the middle: a dark ring keeps those points visible
        const ring = p.task === "regression" ? "#1f2328" : "#fff";
        g.lineWidth = hollow ? 2 : 1; g.strokeStyle = hollow && p.task !== "regression" ? c : ring; g.stroke();
      }
    };
    dot(d.pts, d.lab, false); dot(d.tpts, d.tlab, true);
    return t;
  }

  // The level line of out (R × R, image order) at v: marching squares, each crossing
  // placed on its cell edge by linear interpolation.
  function contour(g, out, v, cw, ch) {
    g.strokeStyle = "#1f2328"; g.lineWidth = 1.5; g.beginPath();
    const at = (a, b) => (v - a) / (b - a);
    for (let r = 0; r < R - 1; r++) for (let c = 0; c < R - 1; c++) {
      const a = out[r * R + c], b = out[r * R + c + 1], e = out[(r + 1) * R + c], h = out[(r + 1) * R + c + 1];
      const pts = [];
      if ((a > v) !== (b > v)) pts.push([(c + at(a, b)) * cw, r * ch]);
      if ((b > v) !== (h > v)) pts.push([(c + 1) * cw, (r + at(b, h)) * ch]);
      if ((e > v) !== (h > v)) pts.push([(c + at(e, h)) * cw, (r + 1) * ch]);
      if ((a > v) !== (e > v)) pts.push([c * cw, (r + at(a, e)) * ch]);
      for (let i = 0; i + 1 < pts.length; i += 2) { g.moveTo(pts[i][0], pts[i][1]); g.lineTo(pts[i + 1][0], pts[i + 1][1]); }
    }
    g.stroke();
  }

  function logRange(values) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!(lo < Infinity)) return null;
    if (hi <= lo) { hi = lo * 10; lo = lo / 10; }
    return [Math.log10(lo), Math.log10(hi)];
  }

  function drawLoss(k) {
    const cv = q(".bf-loss"), g = cv.getContext("2d"), W = cv.width, H = cv.height;
    const all = Array.from(d.train).concat(d.test ? Array.from(d.test) : [],
      d.pen ? Array.from(d.pen.data) : [], d.pen ? Array.from(d.pen.P) : []);
    const lr = logRange(all) || [0, 1];
    // The lowest and highest values are labelled at their height, left of the frame, which
    // is as wide as they need; the frame reaches 8% of the range past them, so that the
    // lowest line (often P, with a small λ) is not drawn on the frame's edge.
    g.font = "11px sans-serif";
    const labels = [fmt(Math.pow(10, lr[1])), fmt(Math.pow(10, lr[0]))];
    const pad = Math.max(34, 8 + Math.max(...labels.map((t) => g.measureText(t).width)));
    const top = 8, bottom = H - 22, m = 0.08 * (lr[1] - lr[0]);
    const X = (s) => pad + (W - pad - 8) * (d.total_steps ? s / d.total_steps : 0);
    const Y = (v) => top + (bottom - top) * (1 - (Math.log10(v) - lr[0] + m) / (lr[1] - lr[0] + 2 * m));
    cv.dataset.plot = JSON.stringify({ left: pad, top: top, bottom: bottom });  // tests read the frame
    if (!lossImg) {  // the curves once; each frame only moves the cursor over them
      g.clearRect(0, 0, W, H); g.fillStyle = "#fff"; g.fillRect(0, 0, W, H);
      g.strokeStyle = "#d0d7de"; g.lineWidth = 1; g.strokeRect(pad, top, W - pad - 8, bottom - top);
      g.fillStyle = "#57606a"; g.font = "11px sans-serif"; g.textAlign = "right"; g.textBaseline = "middle";
      labels.forEach((t, i) => {
        const y = Y(Math.pow(10, lr[1 - i]));
        g.fillText(t, pad - 5, y); g.fillRect(pad - 3, Math.round(y), 3, 1);
      });
      g.textAlign = "left"; g.textBaseline = "alphabetic";
      g.fillText("step " + d.total_steps.toLocaleString("en"), W - 90, H - 6); g.fillText("0", pad, H - 6);
      const line = (vals, color, dash, width) => {
        g.beginPath(); g.setLineDash(dash); g.strokeStyle = color; g.lineWidth = width || 2;
        let on = false;
        for (let i = 0; i < d.n; i++) {
          const v = vals[i];
          if (!(v > 0 && Number.isFinite(v))) { on = false; continue; }
          if (on) g.lineTo(X(d.steps[i]), Y(v)); else g.moveTo(X(d.steps[i]), Y(v));
          on = true;
        }
        g.stroke(); g.setLineDash([]);
      };
      line(d.train, FilmMath.rgb(FilmMath.BLUE), []);
      if (d.test) line(d.test, FilmMath.rgb(FilmMath.ORANGE), [5, 4]);
      if (d.pen) {  // the objective's parts under it: the mean loss and P
        line(d.pen.data, FilmMath.rgb(FilmMath.BLUE), [2, 3], 1.5);
        line(d.pen.P, PEN_GREY, [], 1.5);
      }
      lossImg = g.getImageData(0, 0, W, H);
    } else g.putImageData(lossImg, 0, 0);
    const x = X(d.steps[k]);
    g.strokeStyle = "#1f2328"; g.lineWidth = 1; g.beginPath(); g.moveTo(x, top); g.lineTo(x, bottom); g.stroke();
    const blue = FilmMath.rgb(FilmMath.BLUE), orange = FilmMath.rgb(FilmMath.ORANGE);
    const cursors = [[d.train, blue], [d.test, orange]].concat(d.pen ? [[d.pen.data, blue], [d.pen.P, PEN_GREY]] : []);
    for (const [vals, c] of cursors) {
      if (vals && vals[k] > 0 && Number.isFinite(vals[k])) {
        g.beginPath(); g.arc(x, Y(vals[k]), 4, 0, 6.2832); g.fillStyle = c; g.fill();
      }
    }
  }

  function drawNorms(k) {
    const cv = q(".bf-norms"), g = cv.getContext("2d"), W = cv.width, H = cv.height, L = d.weighted.length;
    const lr = logRange(d.norms) || [0, 1], left = 60;
    g.clearRect(0, 0, W, H); g.fillStyle = "#fff"; g.fillRect(0, 0, W, H);
    g.font = "11px sans-serif";
    const h = Math.min(24, (H - 10) / L);
    for (let i = 0; i < L; i++) {
      const v = d.norms[k * L + i], y = 5 + i * h;
      g.fillStyle = "#57606a"; g.fillText("δw" + d.weighted[i], 4, y + h * 0.7);
      if (v > 0 && Number.isFinite(v)) {
        const frac = Math.max(0.01, (Math.log10(v) - lr[0] + 0.3) / (lr[1] - lr[0] + 0.3));
        g.fillStyle = FilmMath.rgb(FilmMath.ORANGE);
        g.fillRect(left, y + 2, (W - left - 70) * frac, h - 5);
        g.fillStyle = "#1f2328"; g.fillText(v.toPrecision(3), left + (W - left - 70) * frac + 4, y + h * 0.7);
      }
    }
  }

  function drawNet(k, outs) {
    const cv = q(".bf-net"), g = cv.getContext("2d"), cols = d.cols, w = d.W.subarray(k * d.n_params, (k + 1) * d.n_params), MAXN = 12;
    const size = 30, gapY = 8, shown = cols.map((c) => Math.min(c.size, MAXN));
    const H = Math.max(...shown) * (size + gapY) + 30, W = cv.width;
    if (cv.height !== H) cv.height = H;
    g.clearRect(0, 0, W, H); g.fillStyle = "#fff"; g.fillRect(0, 0, W, H);
    const colX = (c) => 30 + c * (W - 60 - size) / Math.max(1, cols.length - 1);
    const pos = (c, j) => [colX(c), 10 + (H - 30 - shown[c] * (size + gapY)) / 2 + j * (size + gapY)];
    let wmax = 0;
    for (const c of cols) if (c.linear >= 0) {
      const L = d.layers[c.linear];
      for (let i = 0; i < L.in * L.out; i++) wmax = Math.max(wmax, Math.abs(w[L.offset + i]));
    }
    // Edges first, under the neurons, in LEVELS widths per sign: one stroke per width and
    // sign instead of one per edge (a stroke is the costly call in a software canvas).
    const LEVELS = 8, paths = [];
    cols.forEach(function (c, ci) {
      if (c.linear < 0 || ci === 0) return;
      const L = d.layers[c.linear];
      for (let j = 0; j < shown[ci]; j++) for (let i = 0; i < Math.min(L.in, shown[ci - 1]); i++) {
        const v = w[L.offset + j * L.in + i], [ax, ay] = pos(ci - 1, i), [bx, by] = pos(ci, j);
        if (!Number.isFinite(v)) continue;
        const level = Math.min(LEVELS - 1, Math.floor(LEVELS * Math.abs(v) / (wmax || 1))), key = (v >= 0 ? 0 : LEVELS) + level;
        (paths[key] || (paths[key] = [])).push(ax + size, ay + size / 2, bx, by + size / 2);
      }
    });
    paths.forEach(function (segs, key) {
      const level = (key % LEVELS + 0.5) / LEVELS;
      g.strokeStyle = FilmMath.rgb(key < LEVELS ? FilmMath.BLUE : FilmMath.ORANGE);
      g.globalAlpha = 0.35 + 0.6 * level;
      g.lineWidth = 0.4 + 5 * level;
      g.beginPath();
      for (let i = 0; i < segs.length; i += 4) { g.moveTo(segs[i], segs[i + 1]); g.lineTo(segs[i + 2], segs[i + 3]); }
      g.stroke();
    });
    g.globalAlpha = 1;
    const drawn = [];  // [column, neuron, x, y] of each picture: tests read their colours
    cols.forEach(function (c, ci) {
      const out = outs ? outs[c.last] : null, n = c.size;
      for (let j = 0; j < shown[ci]; j++) {
        const [x, y] = pos(ci, j);
        drawn.push([ci, j, x, y]);
        if (out) {
          const t = tile("n" + ci + "_" + j), ctx = t.getContext("2d"), img = t.img;
          // The one output (binary, regression) is the decision picture, on the boundary's
          // scale, as Playground's; several classes' outputs are drawn as the hidden neurons.
          // The net's caption says which (film.js, FilmMath.planeScale).
          const p = d.plane, scaled = ci === cols.length - 1 && p.task !== "classes";
          let s = 1;
          for (let i = 0; i < R * R; i++) s = Math.max(s, Math.abs(out[i * n + j]) || 0);
          for (let i = 0; i < R * R; i++) {
            if (scaled) FilmMath.twoClass((out[i] - p.range[0]) / (p.range[1] - p.range[0]), img.data, i * 4);
            else FilmMath.diverging(out[i * n + j] / s, img.data, i * 4, 0.85);
          }
          ctx.putImageData(img, 0, 0);
          g.drawImage(t, x, y, size, size);
        } else { g.fillStyle = "#f6f8fa"; g.fillRect(x, y, size, size); }
        g.strokeStyle = "#57606a"; g.lineWidth = 1; g.strokeRect(x, y, size, size);
      }
      g.fillStyle = "#57606a"; g.font = "11px sans-serif";
      const label = ci === 0 ? "input" : ci === cols.length - 1 ? "output" : "L" + (c.linear + 1) + "–L" + (c.last + 1);
      g.fillText(label + (c.size > MAXN ? " (" + MAXN + " of " + c.size + ")" : ""), colX(ci), H - 6);
    });
    cv.dataset.tiles = JSON.stringify({ size: size, at: drawn });
  }

  // Frame k: every picture; outs are the grid's layer outputs (null without a plane).
  return { fmt: fmt, frame: function (k, outs) {
    drawLoss(k); drawNorms(k);
    if (outs) drawBoundary(outs);
    drawNet(k, outs);
  } };
}

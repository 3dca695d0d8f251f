// The Train film's numbers (engine/film.py sends them): base64 float64 arrays, the
// model's forward pass, once, for the decision boundary and every neuron's picture,
// and the colour scales. The forward pass follows the engine's layers
// (engine/layers/) operation by operation, so that its values match the engine's to
// rounding: tests/test_browser_film.py compares them at grid points (1e-9 relative).
const FilmMath = (function () {
  "use strict";

  function unpack(b64) {
    if (!b64) return new Float64Array(0);
    const bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Float64Array(bytes.buffer);  // little-endian, as numpy's "<f8" (every browser's order)
  }

  // One layer on m rows of width L.in (row-major), as engine/layers computes it.
  function layer(L, w, x, m) {
    const n = L.out, y = new Float64Array(m * n);
    switch (L.kind) {
      case "input": y.set(x); break;
      case "linear": {  // x @ W.T, then + b (engine/layers/linear.py)
        const nin = L.in, W = L.offset, B = W + n * nin;
        for (let i = 0; i < m; i++) {
          const r = i * nin;
          for (let j = 0; j < n; j++) {
            let s = 0;
            const wr = W + j * nin;
            for (let k = 0; k < nin; k++) s += x[r + k] * w[wr + k];
            y[i * n + j] = L.bias ? s + w[B + j] : s;
          }
        }
        break;
      }
      case "relu": for (let i = 0; i < y.length; i++) y[i] = x[i] >= 0 ? x[i] : 0; break;
      case "leaky_relu": for (let i = 0; i < y.length; i++) y[i] = x[i] >= 0 ? x[i] : L.slope * x[i]; break;
      case "tanh": for (let i = 0; i < y.length; i++) y[i] = Math.tanh(x[i]); break;
      case "sigmoid": for (let i = 0; i < y.length; i++) {  // exp of a negative number only
        const e = Math.exp(-Math.abs(x[i])), d = 1 + e;
        y[i] = x[i] >= 0 ? 1 / d : e / d;
      } break;
      case "softplus": for (let i = 0; i < y.length; i++) {  // numpy's logaddexp(0, x)
        const v = x[i];
        y[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      } break;
      case "softmax": for (let i = 0; i < m; i++) {
        let mx = -Infinity, s = 0;
        for (let j = 0; j < n; j++) mx = Math.max(mx, x[i * n + j]);
        for (let j = 0; j < n; j++) { y[i * n + j] = Math.exp(x[i * n + j] - mx); s += y[i * n + j]; }
        for (let j = 0; j < n; j++) y[i * n + j] = y[i * n + j] / s;
      } break;
      default: throw new Error("the film cannot run a " + L.kind + " layer");
    }
    return y;
  }

  // Every layer's output for the m rows of x: outs[k] is layer k+1's (m × out).
  function forward(layers, w, x, m) {
    const outs = [];
    let cur = x;
    for (const L of layers) { cur = layer(L, w, cur, m); outs.push(cur); }
    return outs;
  }

  // The network picture's columns: the input group, then one per Linear (with the
  // layers after it up to the next Linear); a column's neurons are its last layer's outputs.
  function columns(layers) {
    const cols = [];
    layers.forEach(function (L, i) {
      if (L.kind === "linear" || !cols.length) cols.push({ linear: L.kind === "linear" ? i : -1, last: i, size: L.out });
      else { cols[cols.length - 1].last = i; cols[cols.length - 1].size = L.out; }
    });
    return cols;
  }

  // An R × R grid over bounds, in image order (top row first: y from high to low).
  function grid(bounds, R) {
    const [x0, x1, y0, y1] = bounds, pts = new Float64Array(R * R * 2);
    for (let r = 0; r < R; r++) {
      const y = y0 + (R - 1 - r) * (y1 - y0) / (R - 1);
      for (let c = 0; c < R; c++) {
        const p = (r * R + c) * 2;
        pts[p] = x0 + c * (x1 - x0) / (R - 1);
        pts[p + 1] = y;
      }
    }
    return pts;
  }

  const BLUE = [31, 111, 180], ORANGE = [217, 72, 15];  // the app's forward blue, learning orange
  const CLASSES = [[31, 111, 180], [217, 72, 15], [43, 138, 62], [112, 72, 232], [232, 167, 0], [194, 37, 92]];

  // t in [-1, 1]: orange below 0, white at 0, blue above (Playground's convention).
  function diverging(t, out, o, strength) {
    t = Math.max(-1, Math.min(1, t || 0));
    const c = t < 0 ? ORANGE : BLUE, a = Math.abs(t) * strength;
    out[o] = 255 + (c[0] - 255) * a; out[o + 1] = 255 + (c[1] - 255) * a; out[o + 2] = 255 + (c[2] - 255) * a;
    out[o + 3] = 255;
  }

  // p in [0, 1] between class 0 (blue) and class 1 (orange), white at 1/2: the Train
  // page's boundary chart's scale.
  function twoClass(p, out, o) {
    const t = Math.max(-1, Math.min(1, 2 * (p || 0) - 1)), c = t < 0 ? CLASSES[0] : CLASSES[1], a = Math.abs(t) * 0.6;
    out[o] = 255 + (c[0] - 255) * a; out[o + 1] = 255 + (c[1] - 255) * a; out[o + 2] = 255 + (c[2] - 255) * a;
    out[o + 3] = 255;
  }

  function rgb(c) { return "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")"; }

  // The plane's colours in words, for the film's captions: the boundary, the data points
  // and, as in TensorFlow Playground where the output's picture is the decision picture,
  // the output neuron's picture (FilmDraw's twoClass over p.range; several classes: their
  // colours, and the output neurons are drawn as the others are, blue positive).
  const COLOUR_NAMES = ["blue", "orange", "green", "purple", "yellow", "pink"];
  function planeScale(p, m) {  // m: the model's outputs (the classes' count)
    const num = (v) => String(Number(v.toPrecision(4)));
    if (p.task === "binary") return "blue toward 0 (class 0), white at 0.5, orange toward 1 (class 1)";
    if (p.task === "regression") {
      const [lo, hi] = p.range;
      return "blue at " + num(lo) + " (the lowest target) and below, white at " + num((lo + hi) / 2) +
        ", orange at " + num(hi) + " (the highest) and above";
    }
    const names = [];
    for (let c = 0; c < m; c++) names.push("class " + c + " " + COLOUR_NAMES[c % 6]);
    return "each point's likeliest class, " + names.join(", ") + " (deeper where the model is surer)";
  }

  return { unpack, layer, forward, columns, grid, diverging, twoClass, planeScale, rgb, BLUE, ORANGE, CLASSES };
})();

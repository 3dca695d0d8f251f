// The one player of Backprop Explorer. Explore's component (ui/player.py) and the
// exported HTML page (engine/render/player.py) both run this file, so both show the
// graph, the step title and that step's chain rule together, with one step control.
// Every step's explanation arrives precomputed (engine/explain.py step_texts), with the
// evaluation trace and each step's row in it (engine/evaluation_trace.py), and its
// LaTeX is typeset here by KaTeX: playing needs no server round trip. Every frame
// shares one layout, so the zoom (a transform on a wrapper) stays while frames swap.
/* global katex */
var BP = (function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var ZMIN = 0.1, ZMAX = 12, STEP = 1.25, R = 5;
  // Zoom 100% is the readable size: the whole graph fitted to the stage, unless that
  // draws its smallest label under READABLE px; then the graph is drawn that much bigger
  // and panned (followed while it plays), not shrunk until it is unreadable. "Fit" shows
  // all of it. MAXH: the stage's largest height, a share of the window, less where the
  // chain rule sits under the graph (a phone: player.css sets --bp-maxh there) so that
  // the play bar, the graph and the chain rule's first lines share one screen.
  var READABLE = 9.5, MAXH = 0.62;

  function icon(d) {
    return '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">' +
      '<path fill="currentColor" d="' + d + '"/></svg>';
  }
  var SKELETON =
    '<div class="bp-bar" role="toolbar" aria-label="Animation controls">' +
    '<button type="button" data-act="first" aria-label="Back to the start" title="Back to the start (Home)">' + icon("M6 6h2v12H6zm3.5 6 8.5 6V6z") + '</button>' +
    '<button type="button" data-act="prev" aria-label="Previous step" title="Previous step (←)">' + icon("M15.4 7.4 14 6l-6 6 6 6 1.4-1.4L10.8 12z") + '</button>' +
    '<button type="button" data-act="play" class="bp-play" title="Play / pause (space)">Play</button>' +
    '<button type="button" data-act="next" aria-label="Next step" title="Next step (→)">' + icon("M8.6 16.6 10 18l6-6-6-6-1.4 1.4 4.6 4.6z") + '</button>' +
    '<button type="button" data-act="last" aria-label="Everything has flowed" title="Everything has flowed (End)">' + icon("M6 18l8.5-6L6 6zm10-12v12h2V6z") + '</button>' +
    '<input class="bp-scrub" type="range" min="0" value="0" step="1" aria-label="Step">' +
    '<select class="bp-speed" aria-label="Speed" title="Speed">' +
    '<option value="2000">0.5×</option><option value="1000" selected>1×</option>' +
    '<option value="500">2×</option><option value="250">4×</option></select>' +
    '</div>' +
    '<div class="bp-title" role="status" aria-live="polite"></div>' +
    '<div class="bp-main">' +
    '<div class="bp-view">' +
    '<div class="bp-stage" tabindex="0" role="group" aria-roledescription="graph" ' +
    'aria-label="The graph. Space plays or pauses, the arrows step, shift and the arrows pan, + and − zoom, 0 fits, 1 is the readable size, f is full screen.">' +
    '<div class="bp-zoom"></div></div>' +
    '<div class="bp-zoombar" role="group" aria-label="Zoom">' +
    '<button type="button" data-act="zoom-out" aria-label="Zoom out" title="Zoom out (−)">−</button>' +
    '<button type="button" data-act="reset" class="bp-scale" title="Back to the readable size (1)">100%</button>' +
    '<button type="button" data-act="zoom-in" aria-label="Zoom in" title="Zoom in (+, or the wheel)">+</button>' +
    '<button type="button" data-act="fit" title="Fit the whole graph (0)">Fit</button>' +
    '<button type="button" data-act="full" class="bp-full" title="Full screen (f)">Full screen</button>' +
    '<span class="bp-hint" hidden>More of the graph beyond the frame: drag it, or Fit</span>' +
    '</div></div>' +
    '<section class="bp-explain" aria-label="Chain rule of this step">' +
    '<div class="bp-ex-head">Chain rule</div>' +
    '<div class="bp-ex-general"></div><div class="bp-ex-lines"></div>' +
    '<div class="bp-ex-impacts"></div><div class="bp-ex-notes"></div>' +
    '</section>' +
    '<details class="bp-trace" open hidden><summary>Evaluation trace</summary>' +
    '<div class="bp-trace-scroll"><table><thead><tr><th scope="col">v</th><th scope="col">formula</th>' +
    '<th scope="col">value</th></tr></thead><tbody></tbody></table></div></details></div>';

  // host: {frames: [svg text] | null, frameEls: [element] | null, prefix(step) -> id
  // prefix of that frame, report(step), select(id)}; keys: where key presses are heard.
  function mount(root, host, keys) {
    root.classList.add("bp-player");
    root.innerHTML = SKELETON;
    var q = function (sel) { return root.querySelector(sel); };
    var zoomEl = q(".bp-zoom"), stage = q(".bp-stage");
    if (host.frameEls) host.frameEls.forEach(function (el) { zoomEl.appendChild(el); });
    var s = { step: 0, timer: null, n: 0, titles: [], active: [], explain: [], cache: {},
              z: { k: 1, x: 0, y: 0 }, marker: null, dragged: false, base: null, auto: true };
    var p = { state: s, host: host, show: show, play: play, stop: stop, load: load, zoomBy: zoomBy, fit: fit };

    function load(data) {
      s.frames = data.frames || null;
      s.n = s.frames ? s.frames.length : host.frameEls.length;
      s.titles = data.titles; s.active = data.active || []; s.explain = data.explain || [];
      s.cache = {};
      traceTable(data.trace);
      s.base = null; s.auto = true;  // a new graph opens at its readable size
      q(".bp-bar").hidden = s.n < 2;  // one picture (Export's preview): nothing to play
      root.classList.toggle("bp-solo", !s.explain.length);
      q(".bp-scrub").max = String(s.n - 1);
      stop(false);
      show(Math.max(0, Math.min(data.step || 0, s.n - 1)), false);
      // KaTeX's fonts, still loading, change the rows' heights (a value wraps onto more or
      // fewer lines): the current row, scrolled into view before, may have left it
      if (document.fonts && document.fonts.ready) document.fonts.ready.then(function () { traceRow(s.step); });
    }

    function show(step, report) {
      s.step = step;
      var svg;
      if (s.frames) {
        zoomEl.innerHTML = s.frames[step];
      } else {
        host.frameEls.forEach(function (el, i) { el.hidden = i !== step; });
      }
      svg = s.frames ? zoomEl.querySelector("svg") : host.frameEls[step].querySelector("svg");
      if (s.marker) { s.marker.remove(); s.marker = null; }
      if (svg) {
        size(svg);
        // before the marker: its dot, not yet moving, would stretch the edge's box
        if (s.auto) follow(svg, s.active[step], host.prefix ? host.prefix(step) : "");
        s.marker = addMarker(svg, s.active[step], host.prefix ? host.prefix(step) : "");
      }
      var title = s.titles[step] || "";
      q(".bp-title").textContent = title;
      var scrub = q(".bp-scrub");
      scrub.value = String(step);
      scrub.setAttribute("aria-valuetext", title);
      root.dataset.step = String(step);
      explainStep(step);
      traceRow(step);
      if (report) host.report(step);
    }

    // Griewank's evaluation trace (engine/evaluation_trace.py): typeset once per graph,
    // then each step only moves the highlight to its row and scrolls the table (never
    // the page) to keep that row in view.
    function traceTable(trace) {
      var box = q(".bp-trace"), body = q(".bp-trace tbody");
      s.trace = trace && trace.rows && trace.rows.length ? trace : null;
      box.hidden = !s.trace;
      body.textContent = "";
      if (!s.trace) return;
      s.trace.rows.forEach(function (r, i) {
        var tr = document.createElement("tr");
        tr.className = "bp-tr-" + r.phase;
        tr.dataset.row = String(i);
        [r.v, r.formula, breakable(r.value)].forEach(function (src) {
          var td = document.createElement("td");
          td.innerHTML = inline(src);  // KaTeX's own markup (trust off: no links, no HTML)
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
    }

    function traceRow(step) {
      if (!s.trace) return;
      var at = s.trace.current[step], rows = q(".bp-trace tbody").children;
      for (var i = 0; i < rows.length; i++) {
        var on = i === at;
        rows[i].classList.toggle("bp-tr-current", on);
        if (on) rows[i].setAttribute("aria-current", "step"); else rows[i].removeAttribute("aria-current");
      }
      root.dataset.traceRow = at === undefined ? "" : String(at);
      var row = rows[at], pane = q(".bp-trace-scroll");
      if (!row || !pane.clientHeight) return;
      // the header row's height: thead has no box on a phone (player.css)
      var top = row.offsetTop, head = q(".bp-trace thead tr").offsetHeight;
      if (top - head < pane.scrollTop) pane.scrollTop = top - head;
      else if (top + row.offsetHeight > pane.scrollTop + pane.clientHeight) pane.scrollTop = top + row.offsetHeight - pane.clientHeight;
    }

    function explainStep(step) {
      var ex = s.explain[step];
      q(".bp-explain").hidden = !ex;
      if (!ex) return;
      var c = s.cache[step] || (s.cache[step] = {
        general: tex(ex.general),
        lines: ex.lines.map(line).join(""),
        impacts: ex.impacts ? line(ex.impacts) : "",
      });
      q(".bp-ex-general").innerHTML = c.general;  // KaTeX's own markup (trust off: no links, no HTML)
      q(".bp-ex-lines").innerHTML = c.lines;
      q(".bp-ex-impacts").innerHTML = c.impacts;
      var notes = q(".bp-ex-notes");
      notes.textContent = "";
      ex.notes.forEach(function (t) { var d = document.createElement("p"); d.textContent = t; notes.appendChild(d); });
    }

    function play() {
      if (s.step >= s.n - 1) show(0, false);
      var btn = q(".bp-play");
      btn.textContent = "Pause";
      q(".bp-title").setAttribute("aria-live", "off");  // no announcement per frame while it plays
      var ms = Number(q(".bp-speed").value);
      s.timer = setInterval(function () {
        if (!root.isConnected) return stop(false);  // the page took the player away
        if (s.step >= s.n - 1) return stop(true);
        show(s.step + 1, false);
      }, ms);
    }

    function stop(report) {
      if (s.timer) { clearInterval(s.timer); s.timer = null; }
      q(".bp-play").textContent = "Play";
      q(".bp-title").setAttribute("aria-live", "polite");
      if (report) host.report(s.step);
    }

    function go(to) {
      stop(false);
      show(Math.max(0, Math.min(s.n - 1, to)), true);
    }

    // size: every frame shares one layout, so one size (s.base) serves them all --------
    function maxHeight() {
      if (!root.classList.contains("bp-fullscreen")) {
        var share = parseFloat(getComputedStyle(q(".bp-main")).getPropertyValue("--bp-maxh")) || MAXH;
        return Math.max(180, window.innerHeight * share);
      }
      // full screen: what the title and the (wrapped, on a phone) play bar leave above the
      // stage, less the zoom bar under it, so that its buttons (Exit too) stay on screen
      var above = stage.getBoundingClientRect().top - root.getBoundingClientRect().top + root.scrollTop;
      return Math.max(160, window.innerHeight - above - q(".bp-zoombar").offsetHeight - 32);
    }
    function size(svg) {
      if (!s.base) {
        var vb = svg.viewBox && svg.viewBox.baseVal, W = stage.clientWidth;
        if (!vb || !vb.width || !W) return;  // not laid out yet: the resize observer comes back
        var fitted = Math.min(W / vb.width, maxHeight() / vb.height);  // px per unit
        var px = Math.max(fitted, READABLE / smallestText(svg));
        s.base = { W: W, w: vb.width * px, h: vb.height * px, fit: fitted / px };
        stage.style.height = Math.min(s.base.h, maxHeight()) + "px";
        if (s.auto) s.z = { k: 1, x: 0, y: 0 };
        apply();
      }
      svg.setAttribute("width", String(s.base.w));
      svg.setAttribute("height", String(s.base.h));
    }
    function current() {
      return s.frames ? zoomEl.querySelector("svg") : host.frameEls[s.step] && host.frameEls[s.step].querySelector("svg");
    }
    function relayout() {  // the width or the window changed: size again, keep a chosen zoom
      var svg = current();
      s.base = null;
      if (svg) {
        size(svg);
        // a graph first sized here (not laid out yet when shown) follows its step too
        if (s.auto) follow(svg, s.active[s.step], host.prefix ? host.prefix(s.step) : "");
      }
    }
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (!s.base || Math.abs(stage.clientWidth - s.base.W) > 1) relayout();
      }).observe(stage);
    }
    // While it plays at the readable size, the view follows the flow: what the step
    // draws is brought into the stage when it is outside (never past the graph's edges).
    function follow(svg, active, prefix) {
      if (!s.base) return;
      // step 0, nothing flows yet: where the flow starts, the first node drawn (the input)
      // and the nodes in its column (a neuron view's inputs); a tall graph's top-left
      // corner, shown otherwise, can be empty
      var b = active ? reached(svg, active.id, prefix) : start(svg), r = stage.getBoundingClientRect();
      if (!b) return;
      if (b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom) return;
      var z = s.z, W = stage.clientWidth, H = stage.clientHeight;
      z.x += r.left + r.width / 2 - (b.left + b.right) / 2;
      z.y += r.top + r.height / 2 - (b.top + b.bottom) / 2;
      z.x = Math.min(0, Math.max(W - s.base.w * z.k, z.x));
      z.y = Math.min(0, Math.max(H - s.base.h * z.k, z.y));
      apply();
    }

    // zoom and pan: one transform on the wrapper, kept while frames swap ---------------
    function apply() {
      var z = s.z, pct = Math.round(z.k * 100) + "%";
      zoomEl.style.transform = "translate(" + z.x + "px," + z.y + "px) scale(" + z.k + ")";
      var big = s.base && (s.base.w * z.k > stage.clientWidth + 1 || s.base.h * z.k > stage.clientHeight + 1);
      // a touch pans or pinches the graph once the user has zoomed; at the readable size a
      // vertical swipe still scrolls the page (a phone's screen is mostly graph)
      root.classList.toggle("bp-zoomed", !s.auto && (!!big || z.x !== 0 || z.y !== 0));
      q(".bp-hint").hidden = !big;
      q(".bp-scale").textContent = pct;
      q(".bp-scale").setAttribute("aria-label", "Zoom " + pct + ": back to the readable size");
      root.dataset.zoom = String(z.k);
    }
    function zoomAt(k, px, py) {  // px, py: the point kept still, in stage pixels
      var z = s.z, k2 = Math.max(Math.min(ZMIN, s.base ? s.base.fit : 1), Math.min(ZMAX, k));  // down to Fit
      z.x = px - (px - z.x) * k2 / z.k;
      z.y = py - (py - z.y) * k2 / z.k;
      z.k = k2;
      s.auto = false;
      apply();
    }
    function zoomBy(f) {
      var r = stage.getBoundingClientRect();
      zoomAt(s.z.k * f, r.width / 2, r.height / 2);
    }
    function panBy(dx, dy) { s.z.x += dx; s.z.y += dy; s.auto = false; apply(); }
    function fit() { s.z = { k: s.base ? s.base.fit : 1, x: 0, y: 0 }; s.auto = false; apply(); }
    function reset() { s.z = { k: 1, x: 0, y: 0 }; s.auto = true; apply(); }
    function fullElement() {  // in a shadow root, document's answer is the host, not root
      var rn = root.getRootNode();
      return rn.fullscreenElement !== undefined ? rn.fullscreenElement : document.fullscreenElement;
    }
    function full() {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (root.requestFullscreen) root.requestFullscreen();
    }
    document.addEventListener("fullscreenchange", function () {
      var on = fullElement() === root;
      root.classList.toggle("bp-fullscreen", on);
      q(".bp-full").textContent = on ? "Exit full screen" : "Full screen";
      relayout();  // the stage's height follows the screen's
    });

    stage.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var r = stage.getBoundingClientRect();
      zoomAt(s.z.k * Math.exp(-ev.deltaY * 0.002), ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });

    var pointers = {}, pinch = null, drag = null;
    stage.addEventListener("pointerdown", function (ev) {
      if (ev.pointerType === "mouse" && ev.button !== 0) return;
      pointers[ev.pointerId] = { x: ev.clientX, y: ev.clientY };
      var ids = Object.keys(pointers);
      s.dragged = false;
      if (ids.length === 2) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        pinch = { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, k: s.z.k };
        drag = null;
      } else if (ids.length === 1) {
        drag = { x: ev.clientX, y: ev.clientY, zx: s.z.x, zy: s.z.y };
      }
    });
    stage.addEventListener("pointermove", function (ev) {
      if (!pointers[ev.pointerId]) return;
      pointers[ev.pointerId] = { x: ev.clientX, y: ev.clientY };
      var ids = Object.keys(pointers), r = stage.getBoundingClientRect();
      if (pinch && ids.length === 2) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        var d = Math.hypot(a.x - b.x, a.y - b.y);
        zoomAt(pinch.k * d / pinch.d, (a.x + b.x) / 2 - r.left, (a.y + b.y) / 2 - r.top);
        s.dragged = true;
      } else if (drag) {
        var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
        if (!s.dragged && Math.hypot(dx, dy) < 4) return;  // a click, not a drag
        if (!s.dragged) stage.setPointerCapture(ev.pointerId);
        s.dragged = true; s.auto = false;
        s.z.x = drag.zx + dx; s.z.y = drag.zy + dy;
        apply();
      }
    });
    function up(ev) {
      delete pointers[ev.pointerId];
      if (Object.keys(pointers).length < 2) pinch = null;
      if (!Object.keys(pointers).length) drag = null;
    }
    stage.addEventListener("pointerup", up);
    stage.addEventListener("pointercancel", up);

    // buttons, slider, clicks, keys ---------------------------------------------------
    root.addEventListener("click", function (ev) {
      var b = ev.target.closest("button");
      var act = b && b.dataset.act;
      if (!act) {
        if (s.dragged) { s.dragged = false; return; }  // the end of a pan selects nothing
        var g = ev.target.closest("g.edge, g.node");
        if (g && g.id && host.select) host.select(g.id.slice((host.prefix ? host.prefix(s.step) : "").length));
        return;
      }
      if (act === "play") return s.timer ? stop(true) : play();
      if (act === "zoom-in") return zoomBy(STEP);
      if (act === "zoom-out") return zoomBy(1 / STEP);
      if (act === "fit") return fit();
      if (act === "reset") return reset();
      if (act === "full") return full();
      go({ first: 0, prev: s.step - 1, next: s.step + 1, last: s.n - 1 }[act]);
    });
    q(".bp-scrub").addEventListener("input", function (ev) { go(Number(ev.target.value)); });
    q(".bp-speed").addEventListener("change", function () { if (s.timer) { stop(false); play(); } });
    (keys || root).addEventListener("keydown", function (ev) {
      var t = ev.target, tag = t && t.tagName;
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (t && t.isContentEditable)) return;
      if (tag === "BUTTON" && (ev.key === " " || ev.key === "Enter")) return;  // the button's own action
      var k = ev.key, handled = true;
      var pan = ev.shiftKey && { ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[k];
      if (pan) panBy(pan[0] * 80, pan[1] * 80);  // the keyboard's drag: shift + arrows
      else if (k === " ") { if (s.timer) stop(true); else play(); }
      else if (k === "ArrowRight" || k === "ArrowDown") go(s.step + 1);
      else if (k === "ArrowLeft" || k === "ArrowUp") go(s.step - 1);
      else if (k === "Home") go(0);
      else if (k === "End") go(s.n - 1);
      else if (k === "+" || k === "=") zoomBy(STEP);
      else if (k === "-") zoomBy(1 / STEP);
      else if (k === "0") fit();
      else if (k === "1") reset();
      else if (k === "f") full();
      else handled = false;
      if (handled) ev.preventDefault();
    });
    apply();
    return p;
  }

  function tex(src) {
    if (typeof katex === "undefined") {
      var d = document.createElement("div"); d.textContent = src; return d.innerHTML;
    }
    return katex.renderToString(src, { displayMode: true, throwOnError: false, trust: false });
  }

  // A line of numbers (δ⁵ = (0.35, …) ⊙ (0.99, …) = …): KaTeX never breaks a display, so
  // it is typeset inline, in display style, where KaTeX breaks after =, +, · and, with
  // breakable(), after a vector's commas; on a phone it wraps instead of running out of
  // its box. What cannot break (a wide matrix) scrolls in its .bp-line (player.css).
  function line(src) {
    if (typeof katex === "undefined") return tex(src);
    return '<div class="bp-line">' + katex.renderToString("\\displaystyle " + breakable(src),
      { displayMode: false, throwOnError: false, trust: false }) + "</div>";
  }

  // The LaTeX with a break allowed after each comma outside braces and environments:
  // those of a vector (engine/latex.py: vector), written at the top level.
  function breakable(src) {
    var out = "", depth = 0, env = 0;
    for (var i = 0; i < src.length; i++) {
      var c = src[i];
      if (c === "\\") {
        var m = /^\\(begin|end)\b/.exec(src.slice(i));
        if (m) env += m[1] === "begin" ? 1 : -1;
        out += src.slice(i, i + 2); i++;  // an escaped character (\{, \,) is not a brace or a comma
        continue;
      }
      if (c === "{") depth++;
      else if (c === "}") depth--;
      out += c;
      if (c === "," && !depth && !env) out += "\\allowbreak ";
    }
    return out;
  }

  function inline(src) {  // a table cell: KaTeX in text style
    if (typeof katex === "undefined") {
      var d = document.createElement("span"); d.textContent = src; return d.innerHTML;
    }
    return katex.renderToString(src, { displayMode: false, throwOnError: false, trust: false });
  }

  // The height, in the graph's units, of its smallest drawn label (hidden ones take
  // the same room): what the readable size is computed from.
  function smallestText(svg) {
    var min = Infinity, texts = svg.querySelectorAll("text");
    for (var i = 0; i < texts.length; i++) {
      if (!texts[i].textContent.trim()) continue;
      var h = 0;
      try { h = texts[i].getBBox().height; } catch (e) { h = 0; }
      if (!h) h = 1.15 * (parseFloat(texts[i].getAttribute("font-size")) || 14);
      if (h < min) min = h;
    }
    return isFinite(min) ? min : 14;
  }

  // The marker travels along the active edge (backward: against its path), beside the
  // path on the side away from the edge's labels and drawn under them, so it never
  // hides the number it points at.
  function addMarker(svg, active, prefix) {
    if (!active) return null;
    var edge = svg.querySelector('g[id="' + CSS.escape(prefix + active.id) + '"]');
    var path = edge && edge.querySelector("path");
    if (!path) return null;
    var track = document.createElementNS(NS, "g");
    track.setAttribute("class", "bp-marker-track");
    var dot = document.createElementNS(NS, "circle");
    dot.setAttribute("r", String(R));
    dot.setAttribute("class", "bp-marker");
    dot.setAttribute("fill", active.color);
    var motion = document.createElementNS(NS, "animateMotion");
    motion.setAttribute("dur", "0.9s");
    motion.setAttribute("repeatCount", "indefinite");
    motion.setAttribute("path", path.getAttribute("d"));
    motion.setAttribute("keyPoints", active.backward ? "1;0" : "0;1");
    motion.setAttribute("keyTimes", "0;1");
    motion.setAttribute("calcMode", "linear");
    dot.appendChild(motion);
    track.appendChild(dot);
    var label = edge.querySelector("text");
    edge.insertBefore(track, label || null);
    var best = besideLabels(svg, path), off = best.off;
    dot.setAttribute("r", String(best.r));
    if (off[0] || off[1]) track.setAttribute("transform", "translate(" + off[0] + "," + off[1] + ")");
    return track;
  }

  // The offset of the marker's track (none, or to either side of the path) and its
  // dot's radius: the first that meets no drawn label along the whole way, nearest the
  // path first, then a smaller dot (between two layers' labels a few units apart);
  // else the one that meets the fewest.
  function besideLabels(svg, path) {
    var boxes = [], texts = svg.querySelectorAll("text");
    for (var i = 0; i < texts.length; i++) {
      var fill = texts[i].getAttribute("fill");
      if (!texts[i].textContent.trim() || fill === "none" || fill === "transparent") continue;
      var b = texts[i].getBBox();
      boxes.push([b.x - 1, b.y - 1, b.x + b.width + 1, b.y + b.height + 1]);
    }
    var len = path.getTotalLength(), pts = [];
    for (var j = 0; j <= 40; j++) pts.push(path.getPointAtLength(len * j / 40));
    var a = path.getPointAtLength(len * 0.45), c = path.getPointAtLength(len * 0.55);
    var tl = Math.hypot(c.x - a.x, c.y - a.y) || 1, nx = -(c.y - a.y) / tl, ny = (c.x - a.x) / tl;
    var best = null, cands = [];
    [R, 3].forEach(function (r) {
      cands.push({ r: r, off: [0, 0] });
      [r + 1, r + 3, r + 5, 2 * r + 7, 3 * r + 9].forEach(function (d) {
        cands.push({ r: r, off: [nx * d, ny * d] }, { r: r, off: [-nx * d, -ny * d] });
      });
    });
    for (var k = 0; k < cands.length; k++) {
      var hits = 0, ox = cands[k].off[0], oy = cands[k].off[1], r = cands[k].r;
      pts.forEach(function (pt) {
        var x = pt.x + ox, y = pt.y + oy;
        boxes.forEach(function (bx) {
          if (x + r > bx[0] && x - r < bx[2] && y + r > bx[1] && y - r < bx[3]) hits++;
        });
      });
      if (!best || hits < best.hits) best = { hits: hits, off: cands[k].off, r: r };
      if (!hits) break;
    }
    return best;
  }

  // The screen box of what a step draws: the layer view's edge (the marker's id); in
  // the neuron view, the column it fills (cluster_X3) or, for W3 and b3, layer 3's edges.
  function start(svg) {
    var nodes = svg.querySelectorAll("g.node"), box = null;
    if (!nodes.length) return null;
    var first = nodes[0].getBoundingClientRect();
    for (var i = 0; i < nodes.length; i++) {
      var b = nodes[i].getBoundingClientRect();
      if (Math.abs(b.left - first.left) > 2) continue;  // its column (left to right: the inputs)
      box = box ? { left: Math.min(box.left, b.left), top: Math.min(box.top, b.top),
                    right: Math.max(box.right, b.right), bottom: Math.max(box.bottom, b.bottom) }
                : { left: b.left, top: b.top, right: b.right, bottom: b.bottom };
    }
    return box;
  }

  function reached(svg, id, prefix) {
    var sel = function (x) { return 'g[id="' + CSS.escape(prefix + x) + '"]'; };
    var els = svg.querySelectorAll(sel(id) + "," + sel("cluster_" + id));
    var layer = /^[Wb](\d+)$/.exec(id);
    if (!els.length && layer) els = svg.querySelectorAll('g.edge[id^="' + CSS.escape(prefix + "L" + layer[1] + "_") + '"]');
    var box = null;
    for (var i = 0; i < els.length; i++) {
      var b = els[i].getBoundingClientRect();
      box = box ? { left: Math.min(box.left, b.left), top: Math.min(box.top, b.top),
                    right: Math.max(box.right, b.right), bottom: Math.max(box.bottom, b.bottom) }
                : { left: b.left, top: b.top, right: b.right, bottom: b.bottom };
    }
    return box;
  }

  // KaTeX's fonts, registered once per page from the data the host inlines (a shadow
  // root ignores @font-face, and the exported page must run offline).
  function fonts(list) {
    if (!list || window.__bpFonts || !document.fonts || typeof FontFace === "undefined") return;
    window.__bpFonts = true;
    list.forEach(function (f) {
      var face = new FontFace(f.family, "url(data:font/woff2;base64," + f.data + ") format('woff2')",
                              { style: f.style, weight: f.weight });
      document.fonts.add(face);
      face.load().catch(function () {});
    });
  }

  return { mount: mount, fonts: fonts };
})();

// Explore's side of the one player (engine/render/assets/player.js, loaded just above
// in the same module): the frames arrive as SVG text in ``data``; the step is reported
// to Python only when the player stops or the user steps, so playback needs no server
// round trip, and a click on a node or edge opens it in the inspector.
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".bp-player");
  if (!root) {
    root = document.createElement("div");
    parentElement.appendChild(root);
    root.__p = BP.mount(root, {}, null);
    root.__s = { signature: null };
  }
  const p = root.__p, s = root.__s;
  // The play bar sticks under Streamlit's header, fixed over the top of the main area that
  // scrolls (stMain), not behind it (engine/render/assets/player.css: .bp-bar).
  const header = document.querySelector('[data-testid="stHeader"]');
  root.style.setProperty("--bp-top", (header ? Math.max(0, header.getBoundingClientRect().bottom) : 0) + "px");
  p.host.report = (step) => { s.reported = step; setStateValue("step", step); };
  p.host.select = (id) => setStateValue("selected", id);
  if (s.signature !== data.signature) {
    // A new graph: take its frames and the step Python asks for (a shared link's).
    // Otherwise the step is the player's own: a rerun answering an earlier report
    // carries an older step, which must not pull the player back.
    s.signature = data.signature;
    p.load(data);
    // A step reported on the old frames (an arrow key just before these arrived) reaches
    // Python after it drew them at its older step: say the step shown now, or the address
    // bar, Export and the inspector would hold the reported one while the picture shows this.
    if (s.reported !== undefined && s.reported !== p.state.step) p.host.report(p.state.step);
  }
  if (data.autoplay && !s.autoplayed) { s.autoplayed = true; p.play(); }
  // Streamlit calls this cleanup on unmount, and also at once when a newer rerun's render
  // overtook this one while the module was still loading (BidiComponent's cancelled
  // effect): stopping then would halt a Play the user has just pressed (seen in CI after
  // fast key presses). Only a player that has left the page stops; its timer also stops
  // itself then (engine/render/assets/player.js: play).
  return () => { if (!root.isConnected) p.stop(false); };
}

// Backprop Explorer's leave guard. A reload (or a link followed in this tab, or closing
// the tab) starts a new Streamlit session, and the work kept in the old one is gone:
// while Python says some work would be lost, the browser asks before leaving the page.
// One listener per window; each run only updates what is at risk.
export default function (component) {
  const w = window;
  const risk = component.data && Array.isArray(component.data.at_risk) ? component.data.at_risk : [];
  w.__bpAtRisk = risk;
  document.documentElement.dataset.bpAtRisk = risk.join("; ");  // for the browser test
  if (!w.__bpLeaveGuard) {
    w.__bpLeaveGuard = (ev) => {
      if (!w.__bpAtRisk || !w.__bpAtRisk.length) return;
      ev.preventDefault();
      ev.returnValue = "";  // older browsers want a value; none shows it any more
    };
    w.addEventListener("beforeunload", w.__bpLeaveGuard);
  }
}

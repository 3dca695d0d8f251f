"""Train: gradient descent and batch learning on the workspace, with the history drawn.

The last run is a session key (ui/state.py: TRAINING), so it survives page changes and
reruns; a reload would lose it, so the leave guard asks first until it is applied.
Loading a preset or applying the trained weights over unapplied Build edits asks first."""
import time
from dataclasses import replace

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from engine.limits import check_float_work
from engine.penalty import EXAMPLES, penalty_of
from engine.presets import PRESETS, SUGGESTED_TRAINING, load_preset
from engine.descent import record_step
from engine.train import DEFAULT_MAX_STEPS, steps_per_epoch, train
from ui import state
from ui import film
from ui import boundary_chart, chart_style
from ui import train_charts as charts
from ui.state import TRAINING, workspace
from ui.draft import cell, penalty_entry
from ui.penalty_fields import LABELS as LAMBDA_LABELS
from ui.text import md, message
from pages import in_app

in_app()  # first: Streamlit may have run this file without app.py (pages/__init__.py)

LIVE = "_training_live"  # session key while a run trains: {"done", "run" (None: nothing to keep)}


def show_boundary(spec, model, title: str):
    data = spec.data
    x, y = data.batch("float")
    bounds = boundary_chart.grid_bounds(x)
    xs, ys, z = boundary_chart.cached_decision_grid(boundary_chart.weights_key(model), model, bounds)
    n_classes = max(2, model.size_out)
    names = data.target_names if model.size_out > 1 else ()
    fig = boundary_chart.boundary_figure(xs, ys, z, x, y, n_classes=n_classes,
                                         feature_names=data.feature_names or ("x1", "x2"), class_names=names)
    fig.update_layout(title_text=title)
    st.plotly_chart(fig, key=f"boundary-{title}")


ws = workspace(later=True)
n = len(ws.data)
arithmetic = ws.model.arithmetic
two_d = ws.model.size_in == 2

st.title("Train")
st.caption(f"**{md(ws.name)}** · {md(ws.description)}")

with st.expander("Workspace: train another preset", icon=":material/swap_horiz:"):
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    choice = c1.selectbox("Preset", list(PRESETS), index=list(PRESETS).index(ws.name) if ws.name in PRESETS else 0,
                          key="train_preset")
    if c2.button("Load preset", width="stretch"):
        if state.replace_workspace(load_preset(choice), f"Loaded the **{choice}** preset.", "train"):
            st.rerun()
state.ask_replace("train")

# --- settings -------------------------------------------------------------------
# Streamlit forgets a widget's value once a page without it has run: the settings are
# kept under "_"-prefixed keys too, so they survive a visit to Explore.
SETTINGS = {"train_lr": "1/1000000" if arithmetic == "exact" else "0.1",
            "train_batch": 1 if n <= 10 else min(16, n), "train_epochs": 50 if n <= 10 else 20,
            "train_shuffle": False, "train_seed": 0,
            # the workspace's own penalty (a model file may carry one), as editable text
            "train_l2": cell(ws.model.penalty.l2), "train_l1": cell(ws.model.penalty.l1)}
# "xor (trained)" is still xor's data: its suggestions and settings carry over
family = ws.name.split(" (", 1)[0]
suggested = SUGGESTED_TRAINING.get(family)
if suggested and len(load_preset(family).data) == n:  # the preset's own data: its own settings
    SETTINGS.update(train_lr=suggested["lr"], train_batch=suggested["batch_size"], train_epochs=suggested["epochs"],
                    train_shuffle=suggested.get("shuffle", False))
if st.session_state.get("_train_for") != (family, arithmetic, n):
    # another model (a preset loaded here or in Build): its own defaults, not the last
    # model's (the article's α = 1/1000000 left moons, spiral and xor untrained)
    st.session_state["_train_for"] = (family, arithmetic, n)
    for name in SETTINGS:
        st.session_state.pop(name, None)
        st.session_state.pop("_" + name, None)
if st.session_state.get("_train_penalty_for") != ws.model.penalty:
    # the workspace's penalty changed (Build, a file, applied weights): the λ fields show it
    st.session_state["_train_penalty_for"] = ws.model.penalty
    for name in ("train_l2", "train_l1"):
        st.session_state.pop(name, None)
        st.session_state.pop("_" + name, None)
for name, default in SETTINGS.items():
    if name not in st.session_state:
        st.session_state[name] = st.session_state.get("_" + name, default)
st.session_state["train_batch"] = min(st.session_state["train_batch"], n)

with st.container(border=True):
    c = st.columns([1.2, 1, 1, 1.1, 1, 0.9], vertical_alignment="bottom")
    lr = c[0].text_input("Learning rate α", key="train_lr",
                         help="w ← w − α·δw. A decimal (0.1, 1e-3) or, in exact arithmetic, a fraction (1/1000).")
    batch = c[1].number_input("Batch size", 1, n, key="train_batch",
                              help=f"1: sample by sample; {n}: the whole dataset at once (full batch)")
    epochs = c[2].number_input("Epochs", 1, 1_000_000, key="train_epochs")
    shuffle = c[3].toggle("Shuffle", key="train_shuffle", help="A new sample order every epoch")
    seed = c[4].number_input("Seed", 0, 2**32 - 1, key="train_seed", disabled=not shuffle,
                             help="The shuffled orders are drawn from it: the same seed, the same run")
    c[5].markdown(f"**Arithmetic**  \n:{'violet' if arithmetic == 'exact' else 'blue'}-badge[{arithmetic}]",
                  help="The workspace's arithmetic. Exact fractions grow at every step, so exact runs stay short.")

    # L2/L1 penalty (engine/penalty.py): part of the objective the run minimises
    pen = st.columns([1.2, 1.2, 3.9], vertical_alignment="bottom")
    l2 = pen[0].text_input(LAMBDA_LABELS["l2"], key="train_l2",
                         help="Adds λ₂·½Σw² over the weight matrices (not the biases) to the loss, so each step also "
                              "shrinks the weights by α·λ₂·w (PyTorch's weight_decay). 0: none; or more: "
                              + EXAMPLES + ".")
    l1 = pen[1].text_input(LAMBDA_LABELS["l1"], key="train_l1",
                         help="Adds λ₁·Σ|w| over the weight matrices (not the biases) to the loss: each step moves "
                              "the weights towards 0 by α·λ₁ (at w = 0 the gradient is taken as 0). 0: none; or more: "
                              + EXAMPLES + ".")
    penalty, penalty_error = None, None
    try:
        # read as Build and Data read theirs (through the file's entry): the same text, the same message
        entry = penalty_entry(l2, l1)
        penalty = penalty_of(entry.get("l2", 0), entry.get("l1", 0), arithmetic)
    except ValueError as e:
        penalty_error = str(e)
        pen[2].error(message(penalty_error), icon=":material/block:")  # as Build and Data: it may quote the text
    else:
        if penalty.active:
            pen[2].caption(f"The loss shown is the objective: the batch's mean loss + P, "
                         f"P = λ₂·½Σw² + λ₁·Σ|w| ({penalty.describe()}).")

    for name in SETTINGS:
        st.session_state["_" + name] = st.session_state[name]
    per_epoch = steps_per_epoch(n, int(batch))
    total = int(epochs) * per_epoch
    limit = DEFAULT_MAX_STEPS[arithmetic]
    mode = ("gradient descent, sample by sample" if batch == 1 else
            "full-batch learning" if batch >= n else f"mini-batch learning, {int(batch)} samples per step")
    st.caption(f"{mode} · {n} samples → {per_epoch} step{'s' if per_epoch != 1 else ''} per epoch × "
               f"{int(epochs)} epoch{'s' if epochs != 1 else ''} = "
               f"**{total:,} step{'s' if total != 1 else ''}**")
    too_long = total > limit
    if too_long:
        st.error(f"{total:,} steps is more than this server's limit of {limit:,} steps in {arithmetic} "
                 "arithmetic: use fewer epochs or a larger batch.", icon=":material/block:")
    elif arithmetic == "float":  # refused before the click too, as the step limit is
        try:
            check_float_work(int(epochs), n, int(batch), sum(w.size for w in ws.model.weights().values()),
                             len(ws.model.layers))
        except ValueError as e:
            too_long = True
            st.error(f"{e}.", icon=":material/block:")
    go_train = st.button("Train", type="primary", icon=":material/play_arrow:",
                         disabled=too_long or penalty_error is not None)

# A click while a run trains (Stop, or any other widget) starts a new run of this page
# at once in another thread (Streamlit's fast reruns), and the running one gets a
# StopException at its next Streamlit call: the progress update. It is caught there,
# training ends after that step, and the run so far is handed over through LIVE, a
# plain dict: past a stop request every st.session_state access raises again. The new
# run waits for it here, then shows it. (Without fast reruns, and in AppTest, the same
# thread gets a RerunException instead and reruns after the hand-over.)
live = st.session_state.get(LIVE)
if live is not None:
    if not live["done"]:
        with st.spinner("Stopping the training…"):
            for _ in range(200):  # the next progress update comes within 1% of the run
                if live["done"]:
                    break
                time.sleep(0.05)
    if live["done"]:
        if live["run"] is not None:
            st.session_state[TRAINING] = live["run"]
        del st.session_state[LIVE]

if go_train:
    bar, stop_slot = st.progress(0.0, text="training…"), st.empty()
    stop_slot.button("Stop", icon=":material/stop:", key="train_stop",
                     help="Stop after the current step and keep the steps done so far")
    every = max(1, total // 100)
    interrupted: list[ScriptControlException] = []
    live = st.session_state[LIVE] = {"done": False, "run": None}

    def on_step(step: int, of: int) -> None:
        if (step % every == 0 or step == of) and not interrupted:
            try:
                bar.progress(step / of, text=f"step {step:,} of {of:,}")
            except ScriptControlException as e:  # a click, or the session closing
                interrupted.append(e)

    error = None
    try:
        model0 = replace(ws.model, penalty=penalty)
        result = train(model0, ws.data, lr=lr.strip(), epochs=int(epochs), batch_size=int(batch),
                       shuffle=bool(shuffle), seed=int(seed), on_step=on_step,
                       should_stop=lambda: bool(interrupted))
        live["run"] = {"result": result, "spec": ws, "applied": False, "model0": model0,
                       "label": f"α = {lr.strip()}, batch {int(batch)}, {int(epochs)} epoch{'s' if epochs != 1 else ''}"
                                + (f", {penalty.describe()}" if penalty.active else ""),
                       "interrupted": bool(interrupted)}
    except ValueError as e:  # a bad learning rate, a limit, exact numbers growing too large
        error = str(e)
    finally:
        live["done"] = True
    if interrupted:
        raise interrupted[0]
    del st.session_state[LIVE]
    if live["run"] is not None:
        st.session_state[TRAINING] = live["run"]
    bar.empty()
    stop_slot.empty()
    if error:
        st.error(error)

state.settle(ws)  # after this run's training: a reload would now lose it
run = st.session_state.get(TRAINING)
if run is None:
    st.info("Set α, the batch size and the epochs, then **Train**: the loss, the weights and the "
            "gradients of every step are drawn here.", icon=":material/model_training:")
    if two_d:
        show_boundary(ws, ws.model, "Decision boundary before training")
    st.stop()

# --- the last run -----------------------------------------------------------------
result, spec = run["result"], run["spec"]
history = result.history
resumed = run.get("resumed")  # "Train on from here": the workspace is this run's, not a change
if spec is not ws and not run["applied"] and not (resumed is not None and ws.model is resumed.model):
    st.warning(f"This run trained the workspace as it was (**{md(spec.name)}**); the workspace has changed "
               "since. Train again to follow it.", icon=":material/history:")
if result.stopped and run.get("interrupted"):
    st.info(f"Training {result.stopped}: the steps done so far are kept.", icon=":material/stop_circle:")
elif result.stopped:
    st.error(result.stopped, icon=":material/error:")

steps = history.steps
m = st.columns(4)
penalised = film.trained_model(run).penalty.active  # the losses below are then mean loss + P
m[0].metric("Steps", f"{len(steps):,}", help=run["label"])
if steps:
    # A step's loss is its batch's at the weights before its update (the film's frames are
    # after it); with a penalty it is the objective the run minimised.
    first, last = float(steps[0].loss), float(steps[-1].loss)
    # labels short enough for a quarter of a laptop's width (a longer one is cut with "…")
    what = "Loss + P" if penalised else "Batch loss"
    part = "mean loss + P" if penalised else "mean loss"
    m[1].metric(f"{what} before step 1", f"{first:.4g}",
                help=f"The first step's batch ({part}), at the weights before its update")
    # The delta says what it is measured against (a bare "↓ -1.21" does not); "inverse":
    # a loss going down is shown green.
    m[2].metric(f"{what} before step {steps[-1].step:,}", f"{last:.4g}", delta=f"{last - first:+.3g}",
                delta_color="inverse", delta_description="vs. step 1",
                help=f"The last step's batch ({part}), at the weights before its update; the change is "
                     f"from step 1's, {first:.4g}")
if history.epoch_losses:
    # One step's loss is one batch's: with small batches it jumps, so the trend is read
    # from the epoch means (xor sample by sample: the last step up, the epoch mean down).
    lasts, firsts = float(history.epoch_losses[-1]), float(history.epoch_losses[0])
    m[3].metric("Mean loss + P, last epoch" if penalised else "Mean loss, last epoch", f"{lasts:.4g}",
                delta=f"{lasts - firsts:+.3g}" if len(history.epoch_losses) > 1 else None, delta_color="inverse",
                delta_description="vs. epoch 1" if len(history.epoch_losses) > 1 else None,
                help=f"epoch {len(history.epoch_losses)}; the change is from the first epoch's mean, {firsts:.4g}")

if steps:
    film.show(run)  # the run played back in the browser, frame by frame (ui/film.py)
    # Built once per run and kept with it: a 100,000-step history takes ~0.5 s to draw,
    # and this page reruns on every click below. plotly_chart only reads a figure.
    if "figures" not in run:
        run["figures"] = {"loss": charts.loss_figure(history), "weights": charts.weights_figure(history),
                          "grads": charts.grad_norm_figure(history)}
        if result.stopped:  # a divergence or the Stop button: where the lines end, and why
            for fig in run["figures"].values():
                chart_style.mark_stop(fig, steps[-1].step)
    figs = run["figures"]
    left, right = st.columns(2)
    with left:
        st.plotly_chart(figs["loss"], key="loss")
        st.plotly_chart(figs["weights"], key="weights")
    with right:
        st.plotly_chart(figs["grads"], key="grads")
        if spec.model.size_in == 2:
            show_boundary(spec, result.model, "Decision boundary after training")

# --- use the result ---------------------------------------------------------------
st.subheader("Use the result")
a, b = st.columns(2)
with a.container(border=True):
    st.markdown("**Apply trained weights**: the trained model becomes the workspace; Explore and "
                "Export then show it, and training again continues from it.")
    if run["applied"]:
        st.success("Applied: the workspace holds the trained weights.", icon=":material/check:")
    elif st.button("Apply trained weights", icon=":material/done_all:", disabled=not steps):
        # trained weights are no longer the preset: say so in the name (links, titles, files)
        name = f"{spec.name} (trained)" if spec.name in PRESETS else spec.name
        if state.replace_workspace(replace(spec, model=result.model, name=name), None, "train-apply",
                                   then=lambda: run.update(applied=True),
                                   question="Apply the trained weights?"):
            st.rerun()
    state.ask_replace("train-apply")
with b.container(border=True):
    st.markdown("**Open a step in Explore**: replay one step's forward and backward pass, with the "
                "weights before its update.")
    if steps:
        c1, c2 = st.columns([1.3, 1], vertical_alignment="bottom")
        st.session_state["train_pick"] = min(len(steps), st.session_state.get("train_pick", len(steps)))
        pick = c1.number_input("Step", 1, len(steps), key="train_pick")
        s = steps[int(pick) - 1]
        c1.caption(f"epoch {s.epoch} · batch loss {float(s.loss):.4g}")
        if c2.button("Open in Explore", icon=":material/open_in_new:", width="stretch"):
            graph = record_step(result, film.trained_model(run), spec.data, int(pick))
            state.open_in_explore({
                "graph": graph, "label": f"training step {int(pick)} (epoch {s.epoch}, {graph.batch_size} "
                                         f"sample{'s' if graph.batch_size > 1 else ''})",
                "training": {"epoch": s.epoch, "update": int(pick), "after": False}})  # Export's file names

"""What the Train page's numbers say they are: a step's loss is its batch's before that
step's update (the film's frames are after it), the objective mean loss + P when the run
was penalised; and a run of one epoch is "1 epoch"."""
import json

from streamlit.proto.Metric_pb2 import Metric as MetricProto

from test_page_train import figures, start, train_page


def loss_metrics(at) -> dict:
    return {m.label: m for m in at.metric if " before step " in m.label}


def per_step_trace(at) -> dict:
    return next(t for t in figures(at)["Loss"]["data"] if t["name"] == "loss per step")


def test_the_step_losses_say_they_are_the_batch_before_the_update():
    at = start(train_page("xor"), lr="0.5", epochs=3, batch=2)  # 2 steps an epoch: 6 steps
    assert not at.exception and not at.error
    metrics = loss_metrics(at)
    assert set(metrics) == {"Batch loss before step 1", "Batch loss before step 6"}
    assert metrics["Batch loss before step 1"].proto.help == \
        "The first step's batch (mean loss), at the weights before its update"
    assert metrics["Batch loss before step 6"].proto.help.startswith(
        "The last step's batch (mean loss), at the weights before its update")
    assert all(len(label) <= 26 for label in metrics)  # a longer label is cut at a laptop's width
    hover = per_step_trace(at)["hovertemplate"]
    assert hover.startswith("step %{x}'s batch loss, before its update") and "mean loss + P" not in hover


def test_with_a_penalty_the_step_losses_say_mean_loss_plus_p():
    at = train_page("xor")
    at.text_input(key="train_l2").set_value("0.05")
    at = start(at, lr="0.5", epochs=3, batch=4)
    assert not at.exception and not at.error
    metrics = loss_metrics(at)
    assert set(metrics) == {"Loss + P before step 1", "Loss + P before step 3"}
    assert "(mean loss + P)" in metrics["Loss + P before step 3"].proto.help
    assert all(len(label) <= 26 for label in metrics)  # a longer label is cut at a laptop's width
    assert per_step_trace(at)["hovertemplate"].startswith("step %{x}'s batch mean loss + P, before its update")


def test_one_epoch_is_singular():
    at = train_page("xor")
    at.number_input(key="train_epochs").set_value(1)
    at.number_input(key="train_batch").set_value(4)
    at.run()
    plan = next(c.value for c in at.caption if "per epoch" in c.value)
    assert "4 samples → 1 step per epoch × 1 epoch = **1 step**" in plan
    at = click_train(at)
    steps = next(m for m in at.metric if m.label == "Steps")
    assert steps.proto.help.endswith("batch 4, 1 epoch")


def click_train(at):
    next(b for b in at.button if b.label == "Train").click()
    return at.run()


def test_each_loss_delta_says_what_it_is_measured_against():
    # A bare "↓ -0.2" does not say from what: the step's delta is against step 1's batch
    # loss, the epoch mean's against epoch 1's mean; a loss going down is good (green).
    at = start(train_page("xor"), lr="0.1", epochs=50, batch=1)
    assert not at.exception and not at.error
    step = loss_metrics(at)["Batch loss before step 200"]
    first = loss_metrics(at)["Batch loss before step 1"]
    assert step.proto.delta_description == "vs. step 1"
    assert step.proto.help.endswith(f"the change is from step 1's, {first.value}")
    mean = next(m for m in at.metric if m.label == "Mean loss, last epoch")
    assert mean.delta.startswith("-") and mean.proto.delta_description == "vs. epoch 1"
    assert mean.proto.help.startswith("epoch 50; the change is from the first epoch's mean")
    for m in (step, mean):  # "inverse": down is green, up is red
        want = MetricProto.MetricColor.GREEN if m.delta.startswith("-") else MetricProto.MetricColor.RED
        assert m.proto.color == want
    assert first.proto.delta == "" and not first.proto.delta_description  # nothing to compare with


def test_one_epoch_has_no_epoch_delta_to_describe():
    at = start(train_page("xor"), lr="0.5", epochs=1, batch=4)
    mean = next(m for m in at.metric if m.label == "Mean loss, last epoch")
    assert mean.proto.delta == "" and not mean.proto.delta_description

"""The words the Build page writes about a draft (ui/draft.py): the description it generates
("input 2 → linear 8 → tanh 8 → linear 1 → half_squared_error"), kept in step with the
layers and the loss while the user has not written one; the Loss selector's label of a
loss; and the hint shown under it when the loss does not suit the output layer.

No Streamlit import here, so all of it is testable.
"""
from __future__ import annotations

from engine.layers import LAYER_TYPES
from engine.limits import MAX_DESCRIPTION_CHARS
from engine.losses import LOSSES


def generated_description(layers: list[dict], loss: str) -> str:
    """The layers (draft rows: type, size) and the loss in one line, each layer with the
    size it puts out; "?" where the draft does not say it yet (Apply names the problem)."""
    parts, size = [], None
    for row in layers:
        kind = row.get("type")
        cls = LAYER_TYPES.get(kind) if isinstance(kind, str) else None
        if cls is None or cls.sized:  # an activation keeps its input's size
            size = row.get("size")
        # an unknown type or loss (a forged change set) is "?": Apply names it, and the text stays short
        parts.append(f"{kind if cls else '?'} {_size(size)}")
    loss = loss if isinstance(loss, str) and loss in LOSSES else "?"
    text = " → ".join([*parts, loss])
    if len(text) > MAX_DESCRIPTION_CHARS:  # a draft of too many layers: Apply says so, not "description too long"
        text = f"{parts[0]} → … {len(parts) - 2} layers … → {parts[-1]} → {loss}"
    return text


def _size(v) -> str:
    """A layer's size as the description shows it: a whole number from 1, else "?"."""
    try:
        n = int(v)
    except (TypeError, ValueError, OverflowError):
        return "?"
    return str(n) if n >= 1 and n == v and not isinstance(v, bool) else "?"


def follow_structure(draft: dict, before: str, preset_texts=()) -> bool:
    """After a run's edits, put the generated description in the draft when the structure
    (what :func:`generated_description` says) changed and the description is still the
    app's: the one generated from the draft ``before`` the edits, or a preset's own prose,
    which stays only while the layers and loss are the preset's. Any other text is the
    user's, typed in this run or earlier or brought by their file, and is never replaced.
    True if replaced."""
    now = generated_description(draft["layers"], draft["loss"])
    if now == before or draft["description"] not in (before, *preset_texts):
        return False
    draft["description"] = now
    return True


def loss_label(kind: str) -> str:
    """A loss as the Loss selector shows it: "binary_cross_entropy · binary cross-entropy"."""
    cls = LOSSES.get(kind)
    return f"{kind} · {cls.title}" if cls is not None and cls.title else str(kind)


# The pairing the hint is about: a sigmoid output read with ½(x − y)² learns slowly where the
# sigmoid saturates (its σ' ≈ 0 scales δ down); binary cross-entropy's δ at the sigmoid's
# input is σ(z) − y, no σ' factor (engine/losses.py: BinaryCrossEntropy fuses with it).
_SLOW, _SUITED = "half_squared_error", "binary_cross_entropy"


def loss_hint(draft: dict) -> str | None:
    """A short hint when the draft's output layer is a sigmoid and its loss ½(x − y)²; else None."""
    layers = draft.get("layers") or []
    if not layers or layers[-1].get("type") != LOSSES[_SUITED].fuses_with or draft.get("loss") != _SLOW:
        return None
    return (f"The output is a sigmoid: `{loss_label(_SUITED)}` usually suits it better than "
            f"{LOSSES[_SLOW].title}, whose gradient fades where the sigmoid saturates "
            "(near 0 or 1). Choose it under **Loss**.")

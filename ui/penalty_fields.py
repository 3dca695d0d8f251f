"""The model's L2/L1 penalty fields, λ₂ and λ₁ (engine/penalty.py), as the Build page's
model settings and the Data page's CSV model show them: one label and one help text
each, so that both pages say the same. What is typed goes, as text, through
ui.draft.penalty_entry into the model file's "penalty" entry, which engine.spec judges
(the same message for the same mistake on both pages).

The Train page's λ fields set a run's penalty, not the model's: the same labels, but
their help speaks of the steps, so it is its own.
"""
from __future__ import annotations

import streamlit as st

from engine.penalty import EXAMPLES

LABELS = {"l2": "L2 penalty λ₂", "l1": "L1 penalty λ₁"}
# the examples are the error message's (engine/penalty.py: EXAMPLES): values a λ accepts, never a negative
HELP = {"l2": "Adds λ₂·½Σw² over the weight matrices (not the biases) to the loss: PyTorch's weight_decay. "
              f"0 (none) or more: {EXAMPLES}.",
        "l1": "Adds λ₁·Σ|w| over the weight matrices (not the biases) to the loss; at w = 0 its "
              f"gradient is taken as 0. 0 (none) or more: {EXAMPLES}."}


def penalty_fields(keys: dict, values: dict | None = None, columns=None) -> dict:
    """The two text fields side by side, keyed ``keys["l2"]``, ``keys["l1"]``, starting
    from ``values`` (the model's λ as text; "0" when not given), in two ``columns`` of the
    caller's row or in a row of their own. Returns what they hold."""
    values = values or {}
    columns = columns or st.columns([1.2, 1.2, 3])
    return {name: column.text_input(LABELS[name], values.get(name, "0"), key=keys[name], help=HELP[name])
            for name, column in zip(LABELS, columns)}

"""Export's "Runnable code": the current model, its data and one training step as a
self-contained numpy or PyTorch script (engine/codegen.py, the CLI's `code`), which
prints the loss and the gradients the app computes in float arithmetic."""
from __future__ import annotations

import streamlit as st

from engine.codegen import script
from engine.spec import Spec, load_spec
from ui.exports import file_name

# (framework, button label, what the script needs)
SCRIPTS = (("numpy", "numpy script", "numpy"), ("pytorch", "PyTorch script", "torch (autograd, float64)"))


def code_downloads(source: Spec | str, sample, stem: str) -> None:
    """Two download buttons, one per framework, for ``sample`` (from 1) or "all" of
    ``source``: a Spec, or a model file's text (a training step's weights and batch).
    A model the exporter cannot write (a layer with no code, an inf weight) gets its one
    sentence instead."""
    with st.container(border=True):
        st.markdown("**Runnable code** · one training step")
        where = "the whole batch" if sample == "all" else f"sample {sample}"
        st.caption(f"The model, {where} and one forward and backward pass as a short Python script: "
                   "run it and it prints the loss and every weight gradient, as the app computes them "
                   "in float arithmetic.")
        try:
            spec = load_spec(source) if isinstance(source, str) else source
            if spec.arithmetic == "exact":
                st.caption("This model is exact: the script uses the nearest floats, and its result is the app's "
                           "float one (which may differ from the exact one).")
            texts = {fw: script(spec, fw, sample) for fw, _, _ in SCRIPTS}
        except ValueError as e:
            st.warning(f"{str(e)[:1].upper()}{str(e)[1:]}.", icon=":material/code_off:")
            return
        part = "batch" if sample == "all" else f"sample{sample}"
        for col, (fw, label, needs) in zip(st.columns(len(SCRIPTS)), SCRIPTS):
            col.download_button(label, texts[fw].encode("utf-8"), file_name=file_name(stem, part, fw, ext="py"),
                                mime="text/x-python", key=f"dl-code-{fw}", width="stretch", on_click="ignore",
                                icon=":material/code:", help=f"Needs only {needs}")

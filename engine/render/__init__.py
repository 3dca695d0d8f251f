"""Drawing recorded graphs: DOT (layer and neuron views), frames and file exports.

Never imports Streamlit."""
from .layer_view import layer_view
from .svg import to_svg

__all__ = ["layer_view", "to_svg"]

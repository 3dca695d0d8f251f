"""Every layer, one class each, grouped in one module per family; ``LAYER_TYPES`` is the
registry the file reader, the Build page and the tests read (``{cls.kind: cls}``).

A new layer goes into its family's module and that module's ``LAYERS`` tuple; nothing
else changes (tests/test_layer_registry.py checks that each one is readable from a model
file, written back, offered on the Build page, labelled and explained in LaTeX).
"""
from . import linear, rectifiers, smooth, softmax
from .base import Elementwise, Key, Layer
from .linear import Input, Linear, initial_weights
from .rectifiers import LeakyReLU, ReLU
from .smooth import Sigmoid, Tanh
from .softmax import Softmax

LAYERS: tuple[type[Layer], ...] = linear.LAYERS + rectifiers.LAYERS + smooth.LAYERS + softmax.LAYERS
LAYER_TYPES: dict[str, type[Layer]] = {cls.kind: cls for cls in LAYERS}

__all__ = ["Elementwise", "Input", "Key", "LAYERS", "LAYER_TYPES", "Layer", "LeakyReLU", "Linear", "ReLU",
           "Sigmoid", "Softmax", "Tanh", "initial_weights"]

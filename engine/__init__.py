"""Backprop Explorer's engine: record forward and backward passes, train, render.

Pure Python + numpy; never imports Streamlit.
"""
from .graph import Edge, Event, Graph, Node
from .layers import Input, Layer, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .losses import LOSSES, Loss
from .model import Dataset, Model
from .numbers import NotExactError
from .record import record

__all__ = ["Dataset", "Edge", "Event", "Graph", "Input", "Layer", "LeakyReLU", "Linear", "LOSSES",
           "Loss", "Model", "Node", "NotExactError", "ReLU", "Sigmoid", "Softmax", "Tanh", "record"]

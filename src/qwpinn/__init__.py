"""qwpinn: physics-informed neural networks for one-dimensional quantum wells."""

__version__ = "0.1.0"

"""cnn_step_by_step: the forward pass of a convolutional network, in NumPy (graded, 100 points)."""

TITLE = "Convolutional networks, step by step: the forward pass"
BONUS = False

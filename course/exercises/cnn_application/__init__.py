"""cnn_application: fast layers, and a convolutional network trained on real digits (graded, 100 points)."""

TITLE = "Convolutional networks, applied: fast layers and a digit classifier"
BONUS = False

"""cnn_step_by_step_bonus: the backward pass (optional, 50 bonus points that never lower a grade)."""

TITLE = "Convolutional networks, step by step: the backward pass (optional)"
BONUS = True

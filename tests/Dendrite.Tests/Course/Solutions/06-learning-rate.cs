// The loss's curvature is about 2, so α ≈ 1/2 lands near the bottom in a few steps; above about 1 it diverges.
float learningRate = 0.4f;

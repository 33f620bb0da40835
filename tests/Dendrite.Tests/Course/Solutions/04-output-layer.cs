// Two independent yes/no labels: a sigmoid per output and the binary cross-entropy, applied together on the scores.
Loss MakeLoss() => new BceWithLogitsLoss();

    // a = w·x, y = σ(a); dE/dy = 2(y − t), dy/da = y(1 − y), da/dw_p = x_p.
    double a = 0;
    for (int p = 0; p < w.Length; p++) a += w[p] * x[p];
    double y = 1 / (1 + Math.Exp(-a));
    var gradient = new float[w.Length];
    for (int p = 0; p < w.Length; p++) gradient[p] = (float)(2 * (y - t) * y * (1 - y) * x[p]);
    return gradient;

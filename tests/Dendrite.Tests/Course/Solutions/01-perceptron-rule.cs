// One step of the perceptron rule for the sample x with target t (0 or 1) and learning rate eta: compute the
// step output y = 1 if w·x + b > 0 else 0, then move w and b by eta·(t − y)·x and eta·(t − y). Change w in place.
void PerceptronStep(float[] w, ref float b, float[] x, float t, float eta)
{
    float sum = b;
    for (int j = 0; j < w.Length; j++) sum += w[j] * x[j];
    float y = sum > 0 ? 1 : 0;
    float delta = eta * (t - y);
    for (int j = 0; j < w.Length; j++) w[j] += delta * x[j];
    b += delta;
}

// Subtracting the largest score leaves every exponent ≤ 0, so nothing overflows, and the ratios are unchanged.
double[] Softmax(double[] scores)
{
    double max = scores.Max();
    var e = scores.Select(s => Math.Exp(s - max)).ToArray();
    double sum = e.Sum();
    return [.. e.Select(v => v / sum)];
}

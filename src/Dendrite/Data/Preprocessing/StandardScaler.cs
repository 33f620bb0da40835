using Dendrite.Tensors;

namespace Dendrite.Data.Preprocessing;

/// <summary>
/// Standardisation, like scikit-learn's <c>StandardScaler</c>: out = (x − mean) / std per feature, with the
/// mean and the population standard deviation (ddof 0) of the rows it was fitted on; a feature that is
/// constant there keeps std 1, so it is only centred. A scaler with one mean and std applies them to every
/// value (images: the mean and std of all training pixels).
/// </summary>
public sealed class StandardScaler
{
    private readonly float[] mean, std;

    /// <summary>A scaler with the given statistics; every std must be positive and finite.</summary>
    public StandardScaler(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"StandardScaler: need as many means as stds (at least one), got {mean.Length} and {std.Length}");
        if (Array.Exists(std, s => !(s > 0) || float.IsInfinity(s)) || Array.Exists(mean, m => !float.IsFinite(m)))
            throw new ArgumentException("StandardScaler: every mean must be finite and every std positive and finite");
        this.mean = [.. mean];
        this.std = [.. std];
    }

    /// <summary>The means subtracted, one per feature (or one for all).</summary>
    public IReadOnlyList<float> Mean => mean;

    /// <summary>The standard deviations divided by, one per feature (or one for all).</summary>
    public IReadOnlyList<float> Std => std;

    /// <summary>
    /// Fits per-feature statistics on <paramref name="inputs"/> [N, F] (N ≥ 1). Features listed in
    /// <paramref name="passThrough"/> (one-hot columns, say) get mean 0 and std 1, so they stay as they are.
    /// </summary>
    public static StandardScaler Fit(Tensor inputs, IReadOnlySet<int>? passThrough = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank != 2 || inputs.Shape[0] == 0)
            throw new ArgumentException($"StandardScaler.Fit: expected inputs [N, F] with N ≥ 1, got {inputs.Shape}");
        int n = inputs.Shape[0], f = inputs.Shape[1];
        float[] x = inputs.ToArray();
        var mean = new float[f];
        var std = new float[f];
        for (int j = 0; j < f; j++)
        {
            if (passThrough?.Contains(j) == true) { std[j] = 1; continue; }
            // In double, two passes: float sums of thousands of large values lose the digits a std needs.
            double sum = 0;
            for (int i = 0; i < n; i++) sum += x[i * f + j];
            double m = sum / n, squares = 0;
            for (int i = 0; i < n; i++) squares += (x[i * f + j] - m) * (x[i * f + j] - m);
            double s = Math.Sqrt(squares / n);
            mean[j] = (float)m;
            std[j] = s > 1e-12 * Math.Max(1, Math.Abs(m)) ? (float)s : 1f;
        }
        return new StandardScaler(mean, std);
    }

    /// <summary>Fits one mean and std over every value of <paramref name="inputs"/> (images: all pixels of all samples).</summary>
    public static StandardScaler FitAll(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Numel == 0) throw new ArgumentException("StandardScaler.FitAll: no values to fit on");
        return Fit(inputs.Reshape(-1, 1));
    }

    /// <summary>
    /// Standardises <paramref name="inputs"/> [N, ...]: with one statistic per feature, the sample's values
    /// (flattened) must number as many as the features; with one for all, any shape goes. A new tensor.
    /// </summary>
    public Tensor Transform(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank == 0) throw new ArgumentException("StandardScaler.Transform: expected inputs [N, ...], got a scalar");
        float[] x = inputs.ToArray();
        int features = inputs.Shape[0] == 0 ? 0 : x.Length / inputs.Shape[0];
        if (mean.Length != 1 && features != mean.Length)
            throw new ArgumentException($"StandardScaler.Transform: fitted on {mean.Length} features, got samples of {features} values (inputs {inputs.Shape})");
        for (int i = 0; i < x.Length; i++)
        {
            int j = mean.Length == 1 ? 0 : i % mean.Length;
            x[i] = (x[i] - mean[j]) / std[j];
        }
        return Tensor.FromArray(x, inputs.Shape.ToArray());
    }
}

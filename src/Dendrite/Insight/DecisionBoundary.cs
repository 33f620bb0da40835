using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>
/// The TensorFlow Playground picture (Smilkov and Carter, 2016) for a classifier of points of the plane:
/// every pixel coloured by the class the model predicts there, paler where it is less sure, with the data
/// points on top. The model takes [N, 2] points and returns [N, C] logits (softmax over C ≥ 2 classes) or
/// [N] / [N, 1] logits of a binary classifier (sigmoid; class 1 where p ≥ ½).
/// </summary>
/// <remarks>
/// Confidence is how far the predicted probability is above chance: (p_max − 1/C) / (1 − 1/C), from 0 on a
/// boundary to 1; a pixel is white blended towards its class colour by 0.8 · confidence, so points (fully
/// coloured, white outline, as in the Playground) stay visible. Colours: the Playground's orange and blue
/// for two classes, the Tableau 10 palette for more. Row 0 of the picture is the top, y = <c>YMax</c>.
/// </remarks>
public static class DecisionBoundary
{
    /// <summary>The Playground's orange (class 0) and blue (class 1).</summary>
    public static IReadOnlyList<Rgb> BinaryColors { get; } = [new(0xf5, 0x93, 0x22), new(0x08, 0x77, 0xbd)];

    /// <summary>Tableau 10, for more than two classes.</summary>
    public static IReadOnlyList<Rgb> ClassColors { get; } =
        new[] { "1f77b4", "ff7f0e", "2ca02c", "d62728", "9467bd", "8c564b", "e377c2", "7f7f7f", "bcbd22", "17becf" }.Select(Rgb.Parse).ToArray();

    /// <summary>
    /// Renders the model over <paramref name="bounds"/> (or, when null, the box around <paramref name="points"/>
    /// with a 10% margin) at <paramref name="width"/> × <paramref name="height"/> pixels, with the points
    /// ([N, 2]) coloured by <paramref name="labels"/> ([N] class indices) when given.
    /// </summary>
    public static RgbImage Render(Module model, (float XMin, float XMax, float YMin, float YMax)? bounds = null, int width = 256, int height = 256,
        Tensor? points = null, Tensor? labels = null, IReadOnlyList<Rgb>? colors = null, int pointRadius = 4)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (width is < 1 or > 4096 || height is < 1 or > 4096)
            throw new ArgumentOutOfRangeException(nameof(width), $"DecisionBoundary: size must be 1 to 4096 pixels a side, got {width}×{height}");
        if (points is not null && (points.Rank != 2 || points.Shape[1] != 2))
            throw new ArgumentException($"DecisionBoundary: points must be [N,2], got shape {points.Shape}", nameof(points));
        if (labels is not null && (points is null || labels.Rank != 1 || labels.Shape[0] != points.Shape[0]))
            throw new ArgumentException($"DecisionBoundary: labels must be [N] for points [N,2], got labels {labels.Shape} for points {points?.Shape.ToString() ?? "none"}", nameof(labels));
        var box = bounds ?? (points is not null ? BoundsOf(points) : throw new ArgumentException("DecisionBoundary: give bounds or points", nameof(bounds)));
        if (!(float.IsFinite(box.XMin) && float.IsFinite(box.XMax) && float.IsFinite(box.YMin) && float.IsFinite(box.YMax) && box.XMax > box.XMin && box.YMax > box.YMin))
            throw new ArgumentException($"DecisionBoundary: bounds must be finite with max > min, got x [{box.XMin}, {box.XMax}], y [{box.YMin}, {box.YMax}]", nameof(bounds));

        var (classes, probabilities) = Predict(model, box, width, height);
        var palette = colors ?? (classes == 2 ? BinaryColors : ClassColors);
        if (palette.Count < classes)
            throw new ArgumentException($"DecisionBoundary: the model has {classes} classes but only {palette.Count} colours were given", nameof(colors));
        var image = new RgbImage(width, height);
        var white = new Rgb(255, 255, 255);
        for (int p = 0; p < width * height; p++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++) if (probabilities[p * classes + c] > probabilities[p * classes + best]) best = c;
            float confidence = (probabilities[p * classes + best] - 1f / classes) / (1 - 1f / classes);
            image[p % width, p / width] = Rgb.Lerp(white, palette[best], 0.8f * confidence);
        }
        if (points is not null) DrawPoints(image, box, points, labels, palette, classes, pointRadius);
        return image;
    }

    /// <summary>The box around <paramref name="points"/> ([N, 2]) widened by <paramref name="margin"/> of its size on each side.</summary>
    public static (float XMin, float XMax, float YMin, float YMax) BoundsOf(Tensor points, float margin = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Rank != 2 || points.Shape[1] != 2 || points.Shape[0] == 0)
            throw new ArgumentException($"DecisionBoundary: points must be [N,2] with N ≥ 1, got shape {points.Shape}", nameof(points));
        var v = points.ToArray();
        float x0 = float.MaxValue, x1 = float.MinValue, y0 = float.MaxValue, y1 = float.MinValue;
        for (int i = 0; i < v.Length; i += 2)
        {
            x0 = Math.Min(x0, v[i]);
            x1 = Math.Max(x1, v[i]);
            y0 = Math.Min(y0, v[i + 1]);
            y1 = Math.Max(y1, v[i + 1]);
        }
        float dx = Math.Max(x1 - x0, 1e-3f) * margin, dy = Math.Max(y1 - y0, 1e-3f) * margin;
        return (x0 - dx, x1 + dx, y0 - dy, y1 + dy);
    }

    // Class probabilities of every pixel centre, row-major from the top, in batches so memory stays small.
    private static (int Classes, float[] Probabilities) Predict(Module model, (float XMin, float XMax, float YMin, float YMax) box, int width, int height)
    {
        const int Batch = 4096;
        int n = width * height, classes = 0;
        float[]? result = null;
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            for (int start = 0; start < n; start += Batch)
            {
                int count = Math.Min(Batch, n - start);
                var grid = new float[count * 2];
                for (int i = 0; i < count; i++)
                {
                    int p = start + i;
                    grid[2 * i] = box.XMin + (p % width + 0.5f) / width * (box.XMax - box.XMin);
                    grid[2 * i + 1] = box.YMax - (p / width + 0.5f) / height * (box.YMax - box.YMin);
                }
                Tensor output;
                try
                {
                    output = model.Forward(Tensor.FromArray(grid, count, 2));
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"DecisionBoundary: the model does not take points of the plane ([N,2] inputs): {e.Message}", nameof(model), e);
                }
                var probabilities = Probabilities(output, count);
                classes = probabilities.Shape[1];
                result ??= new float[n * classes];
                probabilities.ToArray().CopyTo(result, start * classes);
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return (classes, result!);
    }

    private static Tensor Probabilities(Tensor output, int count)
    {
        if (output.Rank == 1 && output.Shape[0] == count) output = output.Reshape(count, 1);
        if (output.Rank != 2 || output.Shape[0] != count)
            throw new ArgumentException($"DecisionBoundary: expected the model to return [N,C] or [N] logits for [N,2] points, got shape {output.Shape} for N = {count}");
        if (output.Shape[1] > 1) return output.Softmax(1);
        var p = output.Sigmoid();
        return Tensor.Cat([1f - p, p], 1);
    }

    private static void DrawPoints(RgbImage image, (float XMin, float XMax, float YMin, float YMax) box, Tensor points, Tensor? labels,
        IReadOnlyList<Rgb> palette, int classes, int radius)
    {
        var xy = points.ToArray();
        var cls = labels?.ToArray();
        var outline = new Rgb(255, 255, 255);
        for (int i = 0; i < xy.Length / 2; i++)
        {
            float px = (xy[2 * i] - box.XMin) / (box.XMax - box.XMin) * image.Width, py = (box.YMax - xy[2 * i + 1]) / (box.YMax - box.YMin) * image.Height;
            if (!float.IsFinite(px) || !float.IsFinite(py)) continue;
            Rgb fill = new(0x33, 0x33, 0x33); // unlabelled points
            if (cls is not null)
            {
                float c = cls[i];
                if (c < 0 || c >= classes || c != MathF.Floor(c))
                    throw new ArgumentException($"DecisionBoundary: label {c} of point {i} is not a class of this {classes}-class model", nameof(labels));
                fill = palette[(int)c];
            }
            for (int dy = -radius; dy <= radius; dy++)
                for (int dx = -radius; dx <= radius; dx++)
                {
                    int x = (int)px + dx, y = (int)py + dy, d2 = dx * dx + dy * dy;
                    if (x < 0 || y < 0 || x >= image.Width || y >= image.Height || d2 > radius * radius) continue;
                    image[x, y] = d2 > (radius - 1) * (radius - 1) ? outline : fill;
                }
        }
    }
}

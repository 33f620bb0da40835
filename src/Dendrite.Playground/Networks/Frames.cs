using System.Runtime.InteropServices;
using Dendrite.Tensors;

namespace Dendrite.Playground.Networks;

/// <summary>
/// What the page draws, computed on the server from the live network: the decision heatmap over the 2-D view,
/// a small heatmap per input feature and hidden neuron, the weights, the losses, and the warped grid of a
/// 2-unit hidden layer. Arrays travel as base64 (float32 little-endian, or bytes for heatmaps) to keep a frame
/// small enough for ten or more a second.
/// </summary>
internal static class Frames
{
    /// <summary>Cells per side of the decision heatmap.</summary>
    public const int GridSize = 48;

    /// <summary>Cells per side of a neuron's heatmap.</summary>
    public const int NeuronGridSize = 20;

    /// <summary>Lines per direction, and points per line, of the warped grid.</summary>
    private const int WarpLines = 13, WarpPoints = 48;

    /// <summary>The 2-D view: the two columns shown and their ranges (the plane is [−6, 6]²).</summary>
    public sealed record View(int X, int Y, float XMin, float XMax, float YMin, float YMax);

    public static View ViewOf(PlaygroundData data, NetworkConfig config)
    {
        if (data.IsPlane) return new View(0, 1, -6, 6, -6, 6);
        int a = config.View[0], b = data.Columns == 1 ? config.View[0] : config.View[1];
        (float lo, float hi) Pad(int c)
        {
            float span = Math.Max(data.Max[c] - data.Min[c], 1e-3f);
            return (data.Min[c] - 0.05f * span, data.Max[c] + 0.05f * span);
        }
        var (x0, x1) = Pad(a);
        var (y0, y1) = Pad(b);
        return new View(a, b, x0, x1, y0, y1);
    }

    /// <summary>
    /// Rows for the points of the view at (x, y): the two view columns set, every other column at its mean.
    /// Row k of a size × size grid is cell (k % size, k / size), top row first (largest y).
    /// </summary>
    private static float[] GridRows(PlaygroundData data, View view, int size)
    {
        var points = new float[size * size * 2];
        for (int k = 0; k < size * size; k++)
        {
            points[2 * k] = view.XMin + (view.XMax - view.XMin) * (k % size + 0.5f) / size;
            points[2 * k + 1] = view.YMax - (view.YMax - view.YMin) * (k / size + 0.5f) / size;
        }
        return Rows(data, view, points);
    }

    /// <summary>Full input rows for view points (x, y) given as pairs.</summary>
    private static float[] Rows(PlaygroundData data, View view, float[] points)
    {
        int n = points.Length / 2, c = data.Columns;
        var rows = new float[n * c];
        for (int i = 0; i < n; i++)
        {
            data.Mean.CopyTo(rows, i * c);
            rows[i * c + view.X] = points[2 * i];
            if (view.Y != view.X) rows[i * c + view.Y] = points[2 * i + 1];
        }
        return rows;
    }

    public static object Data(NetworkTrainer trainer, View view)
    {
        var d = trainer.Data;
        var network = trainer.Network;
        return new
        {
            type = "data",
            columns = d.ColumnNames,
            classes = d.Classes,
            regression = network.IsRegression,
            isPlane = d.IsPlane,
            view = new[] { view.X, view.Y },
            bounds = new[] { view.XMin, view.XMax, view.YMin, view.YMax },
            inputs = d.IsPlane ? [.. NetworkConfig.FeatureOrder.Where(f => trainer.Config.Features.Contains(f))] : d.ColumnNames,
            layers = trainer.Config.Layers,
            train = new { x = Floats(Project(d.TrainX, d.Columns, view)), y = Floats(d.TrainY) },
            test = new { x = Floats(Project(d.TestX, d.Columns, view)), y = Floats(d.TestY) },
            parameters = network.TrainableParameters.Sum(p => (long)p.Numel),
        };
    }

    public static object Frame(NetworkTrainer trainer, View view)
    {
        var d = trainer.Data;
        var network = trainer.Network;
        var (trainLoss, trainAccuracy) = trainer.Evaluate(d.TrainX, d.TrainY);
        var (testLoss, testAccuracy) = trainer.Evaluate(d.TestX, d.TestY);
        using var scope = new TensorScope();

        // The decision heatmap: class probabilities (softmax of the logits) or the regression value per cell.
        var (output, _, _) = network.Probe(Tensor.FromArray(GridRows(d, view, GridSize), GridSize * GridSize, d.Columns));
        byte[] cells;
        float[]? range = null;
        if (network.IsRegression)
        {
            var values = output.ToArray();
            float lo = Math.Min(-1, values.Min()), hi = Math.Max(1, values.Max());
            range = [lo, hi];
            cells = [.. values.Select(v => (byte)Math.Clamp(MathF.Round((v - lo) / (hi - lo) * 255), 0, 255))];
        }
        else
        {
            cells = [.. output.Softmax(1).ToArray().Select(p => (byte)Math.Clamp(MathF.Round(p * 255), 0, 255))];
        }

        // One small heatmap per input feature and hidden neuron, each layer on its own symmetric scale.
        var (_, front, hidden) = network.Probe(Tensor.FromArray(GridRows(d, view, NeuronGridSize), NeuronGridSize * NeuronGridSize, d.Columns));
        var layers = new List<object> { NeuronMaps(front) };
        layers.AddRange(hidden.Select(NeuronMaps));

        return new
        {
            type = "frame",
            epoch = trainer.Epoch,
            steps = trainer.Steps,
            trainLoss = Finite(trainLoss),
            testLoss = Finite(testLoss),
            trainAccuracy = Finite(trainAccuracy),
            testAccuracy = Finite(testAccuracy),
            grid = new { size = GridSize, values = Convert.ToBase64String(cells), range },
            neurons = new { size = NeuronGridSize, layers },
            weights = network.Linears.Select(l => new
            {
                rows = l.OutFeatures,
                cols = l.InFeatures,
                w = Floats(l.Weight.ToArray()),
                b = Floats(l.Bias!.ToArray()),
            }),
            warp = Warp(trainer, view),
        };
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>A layer's values over the neuron grid, [neurons][cells] as bytes on the scale ±max|v|.</summary>
    private static object NeuronMaps(Tensor values)
    {
        int cellsCount = values.Shape[0], neurons = values.Shape[1];
        var v = values.ToArray();
        float scale = Math.Max(v.Length == 0 ? 0 : v.Max(MathF.Abs), 1e-6f);
        var bytes = new byte[neurons * cellsCount];
        for (int k = 0; k < cellsCount; k++)
            for (int j = 0; j < neurons; j++)
                bytes[j * cellsCount + k] = (byte)Math.Clamp(MathF.Round(127.5f + 127.5f * v[k * neurons + j] / scale), 0, 255);
        return new { scale, values = Convert.ToBase64String(bytes) };
    }

    /// <summary>
    /// ConvNetJS's picture of a 2-unit hidden layer: the view's grid lines and the training points mapped into
    /// that layer's two outputs (the first hidden layer of width 2), or null when no layer has 2 units.
    /// </summary>
    private static object? Warp(NetworkTrainer trainer, View view)
    {
        var network = trainer.Network;
        int layer = -1;
        for (int i = 0; i < network.HiddenLayers.Count; i++)
            if (network.HiddenLayers[i].Linear.OutFeatures == 2) { layer = i; break; }
        if (layer < 0) return null;
        var d = trainer.Data;
        var points = new float[2 * WarpLines * WarpPoints * 2];
        int k = 0;
        for (int dir = 0; dir < 2; dir++)
            for (int l = 0; l < WarpLines; l++)
                for (int p = 0; p < WarpPoints; p++)
                {
                    float a = (float)l / (WarpLines - 1), b = (float)p / (WarpPoints - 1);
                    var (u, w) = dir == 0 ? (b, a) : (a, b);
                    points[k++] = view.XMin + (view.XMax - view.XMin) * u;
                    points[k++] = view.YMin + (view.YMax - view.YMin) * w;
                }
        var lines = network.Probe(Tensor.FromArray(Rows(d, view, points), points.Length / 2, d.Columns)).Hidden[layer].ToArray();
        float[] data = d.TrainCount == 0 ? [] : network.Probe(Tensor.FromArray(d.TrainX, d.TrainCount, d.Columns)).Hidden[layer].ToArray();
        return new { layer, lines = WarpLines, points = WarpPoints, grid = Floats(lines), train = Floats(data) };
    }

    private static float[] Project(float[] rows, int columns, View view)
    {
        int n = rows.Length / columns;
        var xy = new float[n * 2];
        for (int i = 0; i < n; i++) (xy[2 * i], xy[2 * i + 1]) = (rows[i * columns + view.X], rows[i * columns + view.Y]);
        return xy;
    }

    public static string Floats(float[] values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));
}

using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>
/// A convolution layer's weights as a picture: each filter a tile, the first step of looking inside a
/// trained CNN (Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014, and
/// Krizhevsky et al.'s figure 3 of AlexNet's first-layer filters).
/// </summary>
/// <remarks>
/// Weights are signed, so one-channel filters go through the diverging <see cref="ColorMap.CoolWarm"/> with
/// zero in the middle (blue negative, red positive). Filters over 3 channels are shown in colour, each
/// weight w as ½ + w / (2·max|w|) per channel, so grey is zero. Filters over any other number of channels
/// are shown one tile per (output, input) channel pair: one column per filter, one row per input channel.
/// </remarks>
public static class Filters
{
    /// <summary>
    /// The filters of the Conv2d named <paramref name="layer"/> in <paramref name="model"/> (a name of
    /// <see cref="Module.NamedModules"/>, e.g. <c>"3"</c>), or of its first Conv2d when null.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no Conv2d, or the layer is missing or is not a Conv2d.</exception>
    public static RgbImage Grid(Module model, string? layer = null, TileScale scale = TileScale.PerTile, int padding = 1, int upscale = 1) =>
        Grid(Find(model, layer), scale, padding, upscale);

    /// <summary>The filters of <paramref name="conv"/>: see the class remarks for the layout and colours.</summary>
    public static RgbImage Grid(Conv2d conv, TileScale scale = TileScale.PerTile, int padding = 1, int upscale = 1)
    {
        ArgumentNullException.ThrowIfNull(conv);
        var w = conv.Weight.Detach();
        int outC = w.Shape[0], inC = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3];
        return inC switch
        {
            1 => ImageGrid.Tile(w, ColorMap.CoolWarm, scale, padding: padding, upscale: upscale),
            3 => ImageGrid.Tile(w, scale: scale, symmetric: true, padding: padding, upscale: upscale),
            // One column per filter; per filter, its tiles over the input channels share one scale.
            _ => PerChannel(w, scale, padding, upscale),
        };
    }

    /// <summary>The Conv2d layers of <paramref name="model"/> with their names, in order.</summary>
    public static IReadOnlyList<(string Name, Conv2d Layer)> ConvLayers(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.NamedModules().Where(m => m.Module is Conv2d).Select(m => (m.Name, (Conv2d)m.Module)).ToList();
    }

    /// <summary>The Conv2d named <paramref name="layer"/>, or the first; a clear error otherwise.</summary>
    internal static Conv2d Find(Module model, string? layer)
    {
        ArgumentNullException.ThrowIfNull(model);
        var convs = ConvLayers(model);
        string available = convs.Count == 0 ? "" : $"; its Conv2d layers are {string.Join(", ", convs.Select(c => $"'{c.Name}'"))}";
        if (layer is null)
        {
            if (convs.Count > 0) return convs[0].Layer;
            var kinds = model.NamedModules().Where(m => !m.Module.NamedChildren().Any()).Select(m => m.Module.GetType().Name).Distinct();
            throw new ArgumentException($"Filters: the model has no Conv2d layer to show (it has {string.Join(", ", kinds)}); filters exist only for convolutions", nameof(model));
        }
        var found = model.NamedModules().FirstOrDefault(m => m.Name == layer).Module
            ?? throw new ArgumentException($"Filters: the model has no layer named '{layer}'{available}", nameof(layer));
        return found as Conv2d
            ?? throw new ArgumentException($"Filters: layer '{layer}' is {found.GetType().Name}, not Conv2d{available}", nameof(layer));
    }

    private static RgbImage PerChannel(Tensor weight, TileScale scale, int padding, int upscale)
    {
        int outC = weight.Shape[0], inC = weight.Shape[1];
        var data = weight.ToArray();
        int per = data.Length / outC;
        var shared = ImageGrid.Range(data, 0, data.Length, symmetric: true);
        var tiles = new List<RgbImage>(outC * inC);
        for (int i = 0; i < inC; i++)
            for (int o = 0; o < outC; o++)
            {
                var range = scale == TileScale.Shared ? shared : ImageGrid.Range(data, o * per, per, symmetric: true);
                tiles.Add(ImageGrid.Render(weight[o, i], ColorMap.CoolWarm, range: range));
            }
        return ImageGrid.Tile(tiles, outC, padding, upscale);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.Serialization;

/// <summary>
/// A model architecture as data: the per-sample input shape and a list of layers, read from and written
/// to one JSON format,
/// <code>{"input": [1, 28, 28], "layers": [{"type": "conv2d", "out_channels": 6, "kernel_size": 5, "padding": 2},
///   {"type": "relu"}, {"type": "maxpool2d", "kernel_size": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 10}]}</code>
/// Input channels and features are inferred from the shape that reaches each layer, so a spec names only
/// what a designer chooses. A <see cref="ModelSpec"/> is validated when it is made: unknown layer types,
/// unknown or mistyped options and layers that do not fit the incoming shape fail then, with the layer
/// index, type and shapes in the message. <see cref="Build"/> makes a <see cref="Sequential"/> whose
/// children are named "0", "1", ..., so its state dict has the names of a PyTorch <c>nn.Sequential</c> of
/// the same layers.
/// </summary>
/// <remarks>
/// Layer types and options (defaults in brackets; "pair" = an int or [height, width]):
/// <list type="bullet">
/// <item>linear: out_features, bias [true]. Input [features].</item>
/// <item>conv2d: out_channels, kernel_size (pair), stride [1], padding (pair or "same") [0], dilation [1],
/// groups [1], bias [true]. Input [channels, height, width].</item>
/// <item>maxpool2d: kernel_size, stride [kernel_size], padding [0], dilation [1]. avgpool2d: kernel_size,
/// stride [kernel_size], padding [0], count_include_pad [true]. adaptiveavgpool2d: output_size.</item>
/// <item>batchnorm1d (input [C] or [C, L]), batchnorm2d (input [C, H, W]): eps [1e-5], momentum [0.1],
/// affine [true], track_running_stats [true].</item>
/// <item>relu, sigmoid, tanh, step, identity; leakyrelu: negative_slope [0.01]; softmax, logsoftmax: dim [-1]
/// (an axis of the batched tensor, as in PyTorch); dropout: p [0.5].</item>
/// <item>flatten: start_dim [1], end_dim [-1] (axes of the batched tensor; the batch axis cannot be merged).</item>
/// <item>maxout: out_features, pieces, bias [true]. Input [features].</item>
/// <item>featuremap: features, a list of "x1", "x2", "x1_squared", "x2_squared", "x1x2", "sin_x1", "sin_x2"
/// (or "all"). Input [2].</item>
/// </list>
/// </remarks>
public sealed class ModelSpec
{
    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    private readonly int[] input;
    private readonly LayerSpec[] layers;
    private readonly LayerPlan[] plans;

    /// <summary>A spec with the given per-sample input shape and layers; validated here (see <see cref="ModelSpecException"/>).</summary>
    public ModelSpec(IReadOnlyList<int> input, IEnumerable<LayerSpec> layers)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layers);
        if (input.Count == 0 || input.Any(d => d < 1))
            throw new ModelSpecException($"model spec: \"input\" must be a non-empty list of positive sizes, got {Format(input)}");
        this.input = [.. input];
        this.layers = [.. layers];
        plans = new LayerPlan[this.layers.Length];
        int[] shape = this.input;
        for (int i = 0; i < this.layers.Length; i++)
        {
            plans[i] = Plan(i, this.layers[i] ?? throw new ArgumentException($"ModelSpec: layer {i} is null"), shape);
            shape = plans[i].Output;
        }
    }

    /// <summary>The shape of one sample, without the batch dimension (e.g. [1, 28, 28] or [784]).</summary>
    public IReadOnlyList<int> Input => input;

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<LayerSpec> Layers => layers;

    /// <summary>The shape of one output sample.</summary>
    public IReadOnlyList<int> Output => plans.Length == 0 ? input : plans[^1].Output;

    /// <summary>Reads a spec from JSON (comments allowed); every error names the layer index and option.</summary>
    public static ModelSpec Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelSpecException($"model spec: invalid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ModelSpecException($"model spec: expected a JSON object with \"input\" and \"layers\", got {root.ValueKind}");
            JsonElement? inputJson = null, layersJson = null;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "input": inputJson = property.Value; break;
                    case "layers": layersJson = property.Value; break;
                    default: throw new ModelSpecException($"model spec: unknown key \"{property.Name}\" (expected \"input\" and \"layers\")");
                }
            }
            if (inputJson is not { ValueKind: JsonValueKind.Array } inputArray)
                throw new ModelSpecException("model spec: \"input\" must be a list of sizes, e.g. [1, 28, 28] or [784]");
            var inputShape = inputArray.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v > 0
                ? v : throw new ModelSpecException($"model spec: \"input\" sizes must be positive integers, got {e.GetRawText()}")).ToList();
            if (layersJson is not { ValueKind: JsonValueKind.Array } layerArray)
                throw new ModelSpecException("model spec: \"layers\" must be a list of layer objects");
            var list = new List<LayerSpec>();
            foreach (var element in layerArray.EnumerateArray())
            {
                int index = list.Count;
                if (element.ValueKind != JsonValueKind.Object)
                    throw new ModelSpecException($"layer {index}: expected an object like {{\"type\": \"relu\"}}, got {element.GetRawText()}");
                string? type = null;
                var options = new Dictionary<string, JsonElement>();
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "type")
                    {
                        type = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()
                            : throw new ModelSpecException($"layer {index}: \"type\" must be a string, got {property.Value.GetRawText()}");
                    }
                    else if (!options.TryAdd(property.Name, property.Value))
                    {
                        throw new ModelSpecException($"layer {index}: option '{property.Name}' is given twice");
                    }
                }
                if (string.IsNullOrWhiteSpace(type))
                    throw new ModelSpecException($"layer {index}: missing \"type\" (one of {string.Join(", ", LayerTypes)})");
                list.Add(new LayerSpec(type, options));
            }
            return new ModelSpec(inputShape, list);
        }
    }

    /// <summary>
    /// The spec as JSON. Indented: one line per layer (the form a person edits); otherwise one line.
    /// <see cref="Parse"/> of the result gives an equal spec.
    /// </summary>
    public string ToJson(bool indented = true)
    {
        string inputText = "[" + string.Join(", ", input) + "]";
        if (!indented)
            return "{\"input\": " + inputText + ", \"layers\": [" + string.Join(", ", layers.Select(l => l.ToString())) + "]}";
        var text = new StringBuilder("{\n  \"input\": ").Append(inputText).Append(",\n  \"layers\": [");
        for (int i = 0; i < layers.Length; i++)
            text.Append(i == 0 ? "\n    " : ",\n    ").Append(layers[i]);
        return text.Append(layers.Length == 0 ? "]\n}" : "\n  ]\n}").ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToJson(indented: false);

    /// <summary>
    /// Builds the model: a <see cref="Sequential"/> with one child per layer, named "0", "1", ....
    /// Parameters are initialised as each layer's constructor does (PyTorch's defaults), drawn in layer
    /// order from <paramref name="generator"/> (default <see cref="Generator.Default"/>), so the same seed
    /// gives the same weights as building the layers by hand in the same order; Dropout layers draw their
    /// masks from it too.
    /// </summary>
    public Sequential Build(Generator? generator = null)
    {
        var model = new Sequential();
        foreach (var plan in plans) model.Add(plan.Make(generator));
        return model;
    }

    /// <summary>Per-layer output shapes, parameter counts and multiply-adds per sample (see <see cref="LayerInfo"/>).</summary>
    public IReadOnlyList<LayerInfo> InferShapes()
    {
        var result = new List<LayerInfo>(plans.Length);
        int[] shape = input;
        for (int i = 0; i < plans.Length; i++)
        {
            result.Add(new LayerInfo(i, layers[i].Kind, shape, plans[i].Output, plans[i].Parameters, plans[i].MultiplyAdds));
            shape = plans[i].Output;
        }
        return result;
    }

    /// <summary>The layer types a spec may use, in canonical form.</summary>
    public static IReadOnlyList<string> LayerTypes { get; } =
    [
        "linear", "conv2d", "maxpool2d", "avgpool2d", "adaptiveavgpool2d", "batchnorm1d", "batchnorm2d", "relu", "leakyrelu",
        "sigmoid", "tanh", "step", "softmax", "logsoftmax", "identity", "dropout", "flatten", "maxout", "featuremap",
    ];

    /// <summary>
    /// A built-in spec by name:
    /// <list type="bullet">
    /// <item><c>perceptron</c>: Rosenblatt's perceptron as the course defines it, input [2] (override with
    /// <paramref name="inputs"/>) → linear 1 → step, i.e. ŷ = H(w·x + b) with H(0) = 0.
    /// <paramref name="outputs"/> gives several perceptrons side by side. The step has no gradient: train it
    /// with the perceptron rule, or replace the step by a sigmoid to train by gradient descent.</item>
    /// <item><c>mlp:256,128</c> or <c>mlp:256,128:tanh</c>: linear layers of those hidden sizes, each followed
    /// by the activation (relu by default; any of relu, leakyrelu, sigmoid, tanh, identity), then linear to
    /// the outputs. Input [784] and 10 outputs by default (MNIST), as <see cref="Models.Mlp"/>. <c>mlp</c>
    /// alone has no hidden layer (a softmax-regression model).</item>
    /// <item><c>lenet5</c> and <c>lenet1998</c>: exactly <see cref="Models.LeNet5"/> and
    /// <see cref="Models.LeNet1998"/> for [1, 28, 28] input; <paramref name="outputs"/> sets the classes.</item>
    /// </list>
    /// </summary>
    public static ModelSpec FromName(string name, int? inputs = null, int? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Trim().Split(':');
        string kind = parts[0].Trim().ToLowerInvariant();
        if (inputs is < 1) throw new ModelSpecException($"model '{name}': inputs must be positive, got {inputs}");
        if (outputs is < 1) throw new ModelSpecException($"model '{name}': outputs must be positive, got {outputs}");
        switch (kind)
        {
            case "perceptron" when parts.Length == 1:
                return new ModelSpec([inputs ?? 2], [LayerSpec.Of("linear", ("out_features", outputs ?? 1)), LayerSpec.Of("step")]);
            case "lenet5" or "lenet1998" when parts.Length == 1:
                if (inputs is not null) throw new ModelSpecException($"model '{name}': the input is fixed at [1, 28, 28]");
                string activation = kind == "lenet5" ? "relu" : "tanh";
                string pool = kind == "lenet5" ? "maxpool2d" : "avgpool2d";
                return new ModelSpec([1, 28, 28],
                [
                    LayerSpec.Of("conv2d", ("out_channels", 6), ("kernel_size", 5), ("padding", 2)), LayerSpec.Of(activation),
                    LayerSpec.Of(pool, ("kernel_size", 2)),
                    LayerSpec.Of("conv2d", ("out_channels", 16), ("kernel_size", 5)), LayerSpec.Of(activation),
                    LayerSpec.Of(pool, ("kernel_size", 2)),
                    LayerSpec.Of("flatten"),
                    LayerSpec.Of("linear", ("out_features", 120)), LayerSpec.Of(activation),
                    LayerSpec.Of("linear", ("out_features", 84)), LayerSpec.Of(activation),
                    LayerSpec.Of("linear", ("out_features", outputs ?? 10)),
                ]);
            case "mlp" when parts.Length <= 3:
                var hidden = new List<int>();
                if (parts.Length > 1 && parts[1].Trim().Length > 0)
                {
                    foreach (var size in parts[1].Split(','))
                    {
                        if (!int.TryParse(size.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int h) || h < 1)
                            throw new ModelSpecException($"model '{name}': hidden sizes must be positive integers separated by commas, got '{size.Trim()}'");
                        hidden.Add(h);
                    }
                }
                string act = parts.Length > 2 ? parts[2].Trim().ToLowerInvariant() : "relu";
                if (act is not ("relu" or "leakyrelu" or "sigmoid" or "tanh" or "identity"))
                    throw new ModelSpecException($"model '{name}': unknown activation '{act}' (use relu, leakyrelu, sigmoid, tanh or identity)");
                var mlp = new List<LayerSpec>();
                foreach (var h in hidden)
                {
                    mlp.Add(LayerSpec.Of("linear", ("out_features", h)));
                    mlp.Add(LayerSpec.Of(act));
                }
                mlp.Add(LayerSpec.Of("linear", ("out_features", outputs ?? 10)));
                return new ModelSpec([inputs ?? 784], mlp);
            default:
                throw new ModelSpecException(
                    $"unknown model '{name}': use perceptron, mlp:HIDDEN[,HIDDEN...][:ACTIVATION] (e.g. mlp:256,128:tanh), lenet5 or lenet1998");
        }
    }

    /// <summary>Shapes printed the way the spec writes them: [16, 5, 5].</summary>
    internal static string Format(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    private sealed record LayerPlan(int[] Output, long Parameters, long MultiplyAdds, Func<Generator?, Module> Make)
    {
        /// <summary>The resolved window (explicit pads) of a conv or pooling layer, for exporters.</summary>
        public Kernels.Window2d? Window { get; init; }

        public bool CountIncludePad { get; init; }
    }

    /// <summary>Layer <paramref name="index"/>'s resolved window geometry (conv, pooling), or null.</summary>
    internal (Kernels.Window2d? Window, bool CountIncludePad) Geometry(int index) => (plans[index].Window, plans[index].CountIncludePad);

    /// <summary>Checks one layer against the incoming per-sample shape and says what it produces and how to make it.</summary>
    private static LayerPlan Plan(int index, LayerSpec layer, int[] shape)
    {
        string kind = layer.Kind;
        var o = new OptionReader(index, layer, kind switch
        {
            "linear" => ["out_features", "bias"],
            "conv2d" => ["out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"],
            "maxpool2d" => ["kernel_size", "stride", "padding", "dilation"],
            "avgpool2d" => ["kernel_size", "stride", "padding", "count_include_pad"],
            "adaptiveavgpool2d" => ["output_size"],
            "batchnorm1d" or "batchnorm2d" => ["eps", "momentum", "affine", "track_running_stats"],
            "relu" or "sigmoid" or "tanh" or "step" or "identity" => [],
            "leakyrelu" => ["negative_slope"],
            "softmax" or "logsoftmax" => ["dim"],
            "dropout" => ["p"],
            "flatten" => ["start_dim", "end_dim"],
            "maxout" => ["out_features", "pieces", "bias"],
            "featuremap" => ["features"],
            _ => throw new ModelSpecException(
                $"layer {index}: unknown layer type '{layer.Type}' (known: {string.Join(", ", LayerTypes)})"),
        });
        string where = o.Where;
        string got = Format(shape);
        switch (kind)
        {
            case "linear":
            {
                int outFeatures = o.Int("out_features", null, 1);
                bool bias = o.Bool("bias", true);
                int inFeatures = Features(where, shape);
                return new([outFeatures], (long)inFeatures * outFeatures + (bias ? outFeatures : 0), (long)inFeatures * outFeatures,
                    g => new Linear(inFeatures, outFeatures, bias, g));
            }
            case "maxout":
            {
                int outFeatures = o.Int("out_features", null, 1);
                int pieces = o.Int("pieces", null, 1);
                bool bias = o.Bool("bias", true);
                int inFeatures = Features(where, shape);
                long rows = (long)outFeatures * pieces;
                return new([outFeatures], rows * inFeatures + (bias ? rows : 0), rows * inFeatures,
                    g => new Maxout(inFeatures, outFeatures, pieces, bias, g));
            }
            case "conv2d":
            {
                int outChannels = o.Int("out_channels", null, 1);
                var kernel = o.Pair("kernel_size", null, 1);
                var stride = o.Pair("stride", 1, 1);
                var padding = o.Padding("padding");
                var dilation = o.Pair("dilation", 1, 1);
                int groups = o.Int("groups", 1, 1);
                bool bias = o.Bool("bias", true);
                Image(where, shape, "channels, height, width");
                int inChannels = shape[0];
                if (inChannels % groups != 0 || outChannels % groups != 0)
                    throw new ModelSpecException(
                        $"{where}: groups={groups} must divide both the {inChannels} input channels (input {got}) and the {outChannels} output channels");
                if (padding.IsSame && (stride.H != 1 || stride.W != 1))
                    throw new ModelSpecException($"{where}: padding \"same\" needs stride 1, got stride {Pair(stride)}");
                var window = padding.Window(kernel, stride, dilation, "Conv2d");
                var (outH, outW) = WindowOutput(where, shape, window, $"kernel {Pair(kernel)}, dilation {Pair(dilation)}, padding {PaddingText(padding)}");
                long weights = (long)outChannels * (inChannels / groups) * kernel.H * kernel.W;
                return new([outChannels, outH, outW], weights + (bias ? outChannels : 0), weights * outH * outW,
                    g => new Conv2d(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, g)) { Window = window };
            }
            case "maxpool2d" or "avgpool2d":
            {
                var kernel = o.Pair("kernel_size", null, 1);
                var stride = o.Pair("stride", kernel, 1);
                var padding = o.Pair("padding", 0, 0);
                var dilation = kind == "maxpool2d" ? o.Pair("dilation", 1, 1) : new Size2d(1, 1);
                bool countIncludePad = kind == "avgpool2d" && o.Bool("count_include_pad", true);
                Image(where, shape, "channels, height, width");
                // PyTorch refuses wider padding: a window could then lie wholly in the padding.
                if (padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
                    throw new ModelSpecException($"{where}: padding {Pair(padding)} must be at most half the kernel size {Pair(kernel)}");
                var window = new Padding2d(padding.H, padding.W).Window(kernel, stride, dilation, kind);
                var (outH, outW) = WindowOutput(where, shape, window, $"kernel {Pair(kernel)}, padding {Pair(padding)}");
                int channels = shape[0];
                return kind == "maxpool2d"
                    ? new([channels, outH, outW], 0, 0, _ => new MaxPool2d(kernel, stride, padding, dilation)) { Window = window }
                    : new([channels, outH, outW], 0, 0, _ => new AvgPool2d(kernel, stride, padding, countIncludePad))
                    {
                        Window = window, CountIncludePad = countIncludePad,
                    };
            }
            case "adaptiveavgpool2d":
            {
                var size = o.Pair("output_size", null, 1);
                Image(where, shape, "channels, height, width");
                return new([shape[0], size.H, size.W], 0, 0, _ => new AdaptiveAvgPool2d(size));
            }
            case "batchnorm1d" or "batchnorm2d":
            {
                float eps = o.Float("eps", 1e-5f);
                float momentum = o.Float("momentum", 0.1f);
                bool affine = o.Bool("affine", true);
                bool track = o.Bool("track_running_stats", true);
                if (!(eps > 0)) throw new ModelSpecException($"{where}: option 'eps' must be positive, got {eps}");
                if (!(momentum is >= 0 and <= 1)) throw new ModelSpecException($"{where}: option 'momentum' must be in [0, 1], got {momentum}");
                if (kind == "batchnorm2d") Image(where, shape, "channels, height, width");
                else if (shape.Length is not (1 or 2))
                    throw new ModelSpecException($"{where}: expected input of rank 1 [features] or 2 [channels, length], got {got}");
                int c = shape[0];
                return new(shape, affine ? 2L * c : 0, 0, kind == "batchnorm2d"
                    ? _ => new BatchNorm2d(c, eps, momentum, affine, track)
                    : _ => new BatchNorm1d(c, eps, momentum, affine, track));
            }
            case "relu": return new(shape, 0, 0, _ => new ReLU());
            case "sigmoid": return new(shape, 0, 0, _ => new Sigmoid());
            case "tanh": return new(shape, 0, 0, _ => new Tanh());
            case "step": return new(shape, 0, 0, _ => new Step());
            case "identity": return new(shape, 0, 0, _ => new Identity());
            case "leakyrelu":
            {
                float slope = o.Float("negative_slope", 0.01f);
                return new(shape, 0, 0, _ => new LeakyReLU(slope));
            }
            case "softmax" or "logsoftmax":
            {
                int dim = o.Int("dim", -1, int.MinValue);
                int batchedRank = shape.Length + 1;
                if (dim < -batchedRank || dim >= batchedRank)
                    throw new ModelSpecException(
                        $"{where}: dim {dim} is out of range for the batched input [N, {string.Join(", ", shape)}] (rank {batchedRank})");
                return kind == "softmax" ? new(shape, 0, 0, _ => new Softmax(dim)) : new(shape, 0, 0, _ => new LogSoftmax(dim));
            }
            case "dropout":
            {
                float p = o.Float("p", 0.5f);
                if (!(p is >= 0 and < 1)) throw new ModelSpecException($"{where}: option 'p' must be in [0, 1), got {p}");
                return new(shape, 0, 0, g => new Dropout(p, g));
            }
            case "flatten":
            {
                int start = o.Int("start_dim", 1, int.MinValue), end = o.Int("end_dim", -1, int.MinValue);
                int rank = shape.Length + 1;
                int s = start < 0 ? start + rank : start, e = end < 0 ? end + rank : end;
                if (s < 0 || s >= rank || e < 0 || e >= rank)
                    throw new ModelSpecException($"{where}: start_dim {start} / end_dim {end} out of range for the batched input [N, {string.Join(", ", shape)}]");
                if (s == 0) throw new ModelSpecException($"{where}: start_dim must not be the batch axis 0 (a spec describes one sample)");
                if (e < s) throw new ModelSpecException($"{where}: end_dim {end} comes before start_dim {start}");
                var output = shape[..(s - 1)].Append(shape[(s - 1)..e].Aggregate(1, (a, b) => a * b)).Concat(shape[e..]).ToArray();
                return new(output, 0, 0, _ => new Flatten(start, end));
            }
            case "featuremap":
            {
                var features = o.Features("features");
                if (shape.Length != 1 || shape[0] != 2)
                    throw new ModelSpecException($"{where}: expected input [2] (points x1, x2), got {got}");
                int count = FeatureMap.Members(features).Count;
                return new([count], 0, 0, _ => new FeatureMap(features));
            }
            default:
                throw new InvalidOperationException($"layer type '{kind}' has options but no plan");
        }
    }

    private static int Features(string where, int[] shape) =>
        shape.Length == 1 ? shape[0] : throw new ModelSpecException(
            $"{where}: expected input of rank 1 (features), got {Format(shape)}" + (shape.Length > 1 ? "; add a flatten layer" : ""));

    private static void Image(string where, int[] shape, string what)
    {
        if (shape.Length != 3)
            throw new ModelSpecException($"{where}: expected input of rank 3 ({what}), got {Format(shape)}" +
                (shape.Length == 1 ? "; a flattened input cannot be pooled or convolved" : ""));
    }

    private static (int H, int W) WindowOutput(string where, int[] shape, Kernels.Window2d w, string what)
    {
        int h = w.OutputH(shape[1]), width = w.OutputW(shape[2]);
        // Integer division truncates toward zero, so check the numerator rather than the result.
        bool fits = shape[1] + w.PadTop + w.PadBottom >= w.DilationH * (w.KernelH - 1) + 1 &&
                    shape[2] + w.PadLeft + w.PadRight >= w.DilationW * (w.KernelW - 1) + 1;
        if (!fits || h < 1 || width < 1)
            throw new ModelSpecException($"{where}: input {Format(shape)} is too small for {what} (the window does not fit)");
        return (h, width);
    }

    private static string Pair(Size2d size) => size.H == size.W ? size.H.ToString(CultureInfo.InvariantCulture) : $"[{size.H}, {size.W}]";

    private static string PaddingText(Padding2d padding) => padding.IsSame ? "\"same\"" : Pair(new Size2d(padding.H, padding.W));

    /// <summary>Reads a layer's options by name and type; rejects any option the layer does not have.</summary>
    private sealed class OptionReader
    {
        private readonly LayerSpec layer;

        public OptionReader(int index, LayerSpec layer, string[] known)
        {
            this.layer = layer;
            Where = $"layer {index} ({layer.Kind})";
            foreach (var name in layer.Options.Keys)
            {
                if (!known.Contains(name))
                    throw new ModelSpecException(known.Length == 0
                        ? $"{Where}: unknown option '{name}' ({layer.Kind} takes no options)"
                        : $"{Where}: unknown option '{name}' (known: {string.Join(", ", known)})");
            }
        }

        public string Where { get; }

        private bool TryGet(string name, out JsonElement value) =>
            layer.Options.TryGetValue(name, out value) && value.ValueKind != JsonValueKind.Null;

        private ModelSpecException Wrong(string name, string expected, JsonElement value) =>
            new($"{Where}: option '{name}' must be {expected}, got {value.GetRawText()}");

        private ModelSpecException Missing(string name, string expected) =>
            new($"{Where}: missing option '{name}' ({expected})");

        public int Int(string name, int? fallback, int min)
        {
            string expected = min == 1 ? "a positive integer" : min == 0 ? "a non-negative integer" : "an integer";
            if (!TryGet(name, out var value)) return fallback ?? throw Missing(name, expected);
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int v) || v < min) throw Wrong(name, expected, value);
            return v;
        }

        public Size2d Pair(string name, Size2d? fallback, int min)
        {
            string expected = (min == 1 ? "a positive integer" : "a non-negative integer") + " or a [height, width] pair";
            if (!TryGet(name, out var value)) return fallback ?? throw Missing(name, expected);
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int v) && v >= min) return v;
            if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 2)
            {
                var items = value.EnumerateArray().ToArray();
                if (items.All(i => i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out int x) && x >= min))
                    return (items[0].GetInt32(), items[1].GetInt32());
            }
            throw Wrong(name, expected, value);
        }

        public Padding2d Padding(string name)
        {
            if (TryGet(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                string text = value.GetString()!;
                if (text.Equals("same", StringComparison.OrdinalIgnoreCase)) return Padding2d.Same;
                if (text.Equals("valid", StringComparison.OrdinalIgnoreCase)) return 0;
                throw Wrong(name, "a non-negative integer, a [height, width] pair, \"same\" or \"valid\"", value);
            }
            var pair = Pair(name, 0, 0);
            return (pair.H, pair.W);
        }

        public float Float(string name, float fallback)
        {
            if (!TryGet(name, out var value)) return fallback;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double v) || !double.IsFinite(v))
                throw Wrong(name, "a number", value);
            return (float)v;
        }

        public bool Bool(string name, bool fallback)
        {
            if (!TryGet(name, out var value)) return fallback;
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Wrong(name, "true or false", value),
            };
        }

        public FeatureSet Features(string name)
        {
            const string expected = "\"all\" or a list of \"x1\", \"x2\", \"x1_squared\", \"x2_squared\", \"x1x2\", \"sin_x1\", \"sin_x2\"";
            if (!TryGet(name, out var value)) throw Missing(name, expected);
            IEnumerable<JsonElement> items = value.ValueKind switch
            {
                JsonValueKind.String => [value],
                JsonValueKind.Array => value.EnumerateArray().ToArray(),
                _ => throw Wrong(name, expected, value),
            };
            var set = FeatureSet.None;
            foreach (var item in items)
            {
                string key = item.ValueKind == JsonValueKind.String
                    ? item.GetString()!.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() : "";
                set |= key switch
                {
                    "all" => FeatureSet.All,
                    "x1" => FeatureSet.X1,
                    "x2" => FeatureSet.X2,
                    "x1squared" => FeatureSet.X1Squared,
                    "x2squared" => FeatureSet.X2Squared,
                    "x1x2" => FeatureSet.X1X2,
                    "sinx1" => FeatureSet.SinX1,
                    "sinx2" => FeatureSet.SinX2,
                    _ => throw Wrong(name, expected, item),
                };
            }
            if (set == FeatureSet.None) throw Wrong(name, expected, value);
            return set;
        }
    }
}

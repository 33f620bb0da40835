using System.Globalization;
using System.Text;
using System.Text.Json;
using Dendrite.NN;
using Dendrite.Serialization.Layers;
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
/// The layer types are those of <see cref="LayerTypes"/> (linear, conv2d, the pools, batch norms,
/// activations, softmax, dropout, flatten, ...). Each is one class in
/// <c>src/Dendrite/Serialization/Layers/</c> whose summary shows its options and defaults (PyTorch's
/// argument names and defaults; a "pair" option takes an int or [height, width]), and which also holds its
/// shape inference, its ONNX export and how a built module is described back as a spec layer
/// (<see cref="FromModel"/>).
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
        CheckSize(this.input, "model spec: \"input\"");
        plans = new LayerPlan[this.layers.Length];
        int[] shape = this.input;
        for (int i = 0; i < this.layers.Length; i++)
        {
            var layer = this.layers[i] ?? throw new ArgumentException($"ModelSpec: layer {i} is null");
            var type = LayerRegistry.Find(layer.Kind) ?? throw new ModelSpecException(
                $"layer {i}: unknown layer type '{layer.Type}' (known: {string.Join(", ", LayerTypes)})");
            try
            {
                plans[i] = type.Plan(new LayerArgs(i, layer, type, shape));
                // Sums in checked 64-bit arithmetic: a spec's sizes come from a file, and a wrapped count
                // would print as a negative number or slip under the memory budget.
                Parameters = checked(Parameters + plans[i].Parameters);
                MultiplyAdds = checked(MultiplyAdds + plans[i].MultiplyAdds);
                ActivationsPerSample = checked(ActivationsPerSample + CheckSize(plans[i].Output, $"layer {i} ({layer.Kind}): the output"));
            }
            catch (OverflowException)
            {
                throw new ModelSpecException($"layer {i} ({layer.Kind}) on input {Format(shape)}: its parameter or multiply-add count overflows 64 bits");
            }
            shape = plans[i].Output;
        }
    }

    /// <summary>Learnable parameters of the whole model (float32 values).</summary>
    public long Parameters { get; }

    /// <summary>Multiply-adds of one sample's forward pass.</summary>
    public long MultiplyAdds { get; }

    /// <summary>Values one sample's forward pass produces, summed over the layers (what training keeps for the backward pass).</summary>
    public long ActivationsPerSample { get; }

    /// <summary>The element count of a per-sample shape; more than a tensor holds (2^31 − 1) is an error naming <paramref name="what"/>.</summary>
    private static long CheckSize(IReadOnlyList<int> shape, string what)
    {
        // Each size is below 2^31, so the product is checked against int before it can overflow a long.
        long n = 1;
        double exact = 1;
        foreach (int d in shape)
        {
            exact *= d;
            n = n > int.MaxValue ? n : n * d;
        }
        if (n > int.MaxValue)
            throw new ModelSpecException(string.Create(CultureInfo.InvariantCulture,
                $"{what} {Format(shape)} has {exact:G3} values per sample, more than a tensor holds ({int.MaxValue})"));
        return n;
    }

    /// <summary>
    /// Checks what building and training this model would take against <paramref name="budget"/> (default
    /// <see cref="Runtime.MemoryBudget.Current"/>) before anything is allocated: the parameters times
    /// <paramref name="copiesPerParameter"/> (1 to build; 2 + the optimizer's state slots to train) as
    /// float32, plus, when <paramref name="batchSize"/> is above 0, each layer's output and its gradient for a
    /// batch. Throws <see cref="Runtime.MemoryBudgetException"/> naming <paramref name="source"/> and the
    /// largest layer.
    /// </summary>
    public void CheckMemory(string source, int batchSize = 0, int copiesPerParameter = 1, Runtime.MemoryBudget? budget = null)
    {
        budget ??= Runtime.MemoryBudget.Current;
        long weights = Runtime.MemoryBudget.Times(Parameters, sizeof(float) * (long)Math.Max(1, copiesPerParameter));
        long activations = Runtime.MemoryBudget.Times(ActivationsPerSample, 2L * sizeof(float) * Math.Max(0, batchSize));
        long total = weights > long.MaxValue - activations ? long.MaxValue : weights + activations;
        if (total <= budget.Bytes) return;
        string copies = copiesPerParameter > 1 ? $" × {copiesPerParameter} (weights, gradients, optimizer state)" : "";
        if (weights > budget.Bytes || activations == 0)
        {
            int largest = Enumerable.Range(0, plans.Length).MaxBy(i => plans[i].Parameters);
            budget.Require(source, string.Create(CultureInfo.InvariantCulture,
                $"the model's {Parameters:N0} parameters{copies} (largest: {Describe(largest)}, {plans[largest].Parameters:N0})"), weights);
        }
        budget.Require(source, string.Create(CultureInfo.InvariantCulture,
            $"the model's {Parameters:N0} parameters{copies} and {ActivationsPerSample:N0} activations per sample over {plans.Length} layers, with their gradients, for a batch of {batchSize}"), total);
    }

    private string Describe(int layer) =>
        $"layer {layer} ({layers[layer].Kind}) {Format(layer == 0 ? input : plans[layer - 1].Output)} → {Format(plans[layer].Output)}";

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
            // JsonDocument checks escapes only when a string is decoded: "\uDE22" alone is valid JSON syntax but no text.
            if (JsonStrings.FindInvalidEscape(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip }) is { } problem)
                throw new ModelSpecException($"model spec: a string holds {problem}");
            return FromDocument(document.RootElement);
        }
    }

    private static ModelSpec FromDocument(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new ModelSpecException($"model spec: expected a JSON object with \"input\" and \"layers\", got {root.ValueKind}");
        JsonElement? inputJson = null, layersJson = null;
        foreach (var property in root.EnumerateObject())
        {
            // JSON allows a key twice; a spec that says two things for one key is refused rather than read as its last.
            // Checked here rather than by the parser (as safetensors headers and checkpoints are) so that the message
            // names the layer: specs are written by hand.
            if ((property.Name == "input" && inputJson is not null) || (property.Name == "layers" && layersJson is not null))
                throw new ModelSpecException($"model spec: \"{property.Name}\" is given twice");
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
                    if (type is not null) throw new ModelSpecException($"layer {index}: \"type\" is given twice");
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
    /// masks from it too. Parameters past <see cref="Runtime.MemoryBudget.Current"/> are refused first
    /// (see <see cref="CheckMemory"/>).
    /// </summary>
    public Sequential Build(Generator? generator = null)
    {
        CheckMemory("model spec");
        return BuildUnchecked(generator);
    }

    /// <summary>
    /// <see cref="Build"/> without the budget check, for a spec whose size is already vouched for: one
    /// describing a model that exists in memory, or one whose parameters a file was shown to hold.
    /// </summary>
    internal Sequential BuildUnchecked(Generator? generator)
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

    /// <summary>The layer types a spec may use, in canonical form, in order of name.</summary>
    public static IReadOnlyList<string> LayerTypes { get; } = [.. LayerRegistry.Types.Select(t => t.Name)];

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

    /// <summary>
    /// The spec of a model built in code: <paramref name="model"/>'s layers described as spec layers (nested
    /// <see cref="Sequential"/>s flattened in order) on the per-sample <paramref name="input"/> shape. Throws
    /// <see cref="ModelSpecException"/> when a layer does not fit the shape reaching it, and
    /// <see cref="NotSupportedException"/> for a module no layer type builds. The spec's <see cref="Build"/>
    /// makes the same architecture (a flat <see cref="Sequential"/>) with fresh parameters.
    /// </summary>
    public static ModelSpec FromModel(Module model, IReadOnlyList<int> input) =>
        FromModules(Flatten(model).Select(m => m.Module).ToList(), input, "ModelSpec.FromModel");

    /// <summary>The modules a model runs in order, with their state-dict prefixes ("3.", "1.0.", or "" for a lone module).</summary>
    internal static List<(Module Module, string Prefix)> Flatten(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new List<(Module, string)>();
        Add(model, "");
        return result;

        void Add(Module module, string prefix)
        {
            if (module is not Sequential sequential)
            {
                result.Add((module, prefix));
                return;
            }
            for (int i = 0; i < sequential.Count; i++) Add(sequential[i], $"{prefix}{i}.");
        }
    }

    /// <summary>
    /// Describes modules as a spec and checks that each fits the input the spec infers for it (a Linear built
    /// for 5 features after a layer that gives 4 does not); <paramref name="who"/> starts the errors.
    /// </summary>
    internal static ModelSpec FromModules(IReadOnlyList<Module> modules, IReadOnlyList<int> input, string who)
    {
        var types = modules.Select((m, i) => LayerRegistry.Find(m) ?? throw new NotSupportedException(
            $"{who}: layer {i} is a {m.GetType().Name}, which no spec layer type describes (known: {string.Join(", ", LayerTypes)})")).ToArray();
        var spec = new ModelSpec(input, types.Select((t, i) => t.Describe(modules[i])));
        var infos = spec.InferShapes();
        for (int i = 0; i < modules.Count; i++)
        {
            if (types[i].InputSize(modules[i]) is int size && infos[i].InputShape[0] != size)
                throw new ModelSpecException(
                    $"layer {i} ({types[i].Name}): the {modules[i].GetType().Name} was built for {size} input features or channels, " +
                    $"but the input reaching it is {Format(infos[i].InputShape)}");
        }
        return spec;
    }
}

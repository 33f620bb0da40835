using Dendrite.NN;
using Dendrite.Serialization.Layers;
using Dendrite.Tensors;

using Dendrite.Data.Preprocessing;

namespace Dendrite.Serialization.Onnx;

/// <summary>
/// Exports a model — a <see cref="Sequential"/> (nested ones too) of layers that a <see cref="ModelSpec"/>
/// can describe, built in code or from a spec — to ONNX (opset <see cref="Opset"/>, IR version
/// <see cref="IrVersion"/>) for inference in evaluation mode: graph input "input" [N, ...sample input] and
/// output "output" [N, ...sample output] with a symbolic batch dimension N; weights become initializers
/// under their state-dict names. Each layer type's export sits with the rest of that type in
/// <c>Serialization/Layers/</c>: Linear → Gemm (transB = 1); Conv2d → Conv (pads, strides, dilations,
/// group; "same" padding as explicit pads); MaxPool2d → MaxPool; AvgPool2d → AveragePool
/// (count_include_pad); AdaptiveAvgPool2d → GlobalAveragePool for a 1×1 output or AveragePool when the
/// input divides evenly (otherwise not supported); BatchNorm → BatchNormalization with the running
/// statistics; ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax (axis) → the same operators; Identity and
/// Dropout → Identity; Flatten → Flatten (axis 1) or Reshape; Step → Cast(Greater(x, 0)); Maxout → Gemm,
/// Reshape, ReduceMax. FeatureMap has no export (a clear error names the layer).
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the graph uses.</summary>
    public const int Opset = 13;

    /// <summary>The ONNX IR version written (8: ONNX 1.10 and later, onnxruntime 1.10 and later).</summary>
    public const int IrVersion = 8;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> as ONNX, atomically (see
    /// <see cref="SafeTensors.Save(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?)"/>);
    /// <paramref name="sampleInputShape"/> is one sample's shape, without the batch dimension ([1, 28, 28]).
    /// </summary>
    public static void Export(Module model, IReadOnlyList<int> sampleInputShape, string path)
    {
        byte[] bytes = ToBytes(model, sampleInputShape);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes the model built from <paramref name="spec"/> (checked against it) to <paramref name="path"/> as ONNX, atomically.</summary>
    public static void Export(Module model, ModelSpec spec, string path, StandardScaler? inputScaling = null)
    {
        byte[] bytes = ToBytes(model, spec, inputScaling);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// The model built from <paramref name="spec"/> as ONNX bytes; a model whose layers are not the spec's is
    /// refused. With <paramref name="inputScaling"/> (the standardisation fitted in training, from a model
    /// file's <see cref="Preprocessor"/>), the graph starts with Sub and Div nodes that apply it, so the ONNX
    /// file takes the same raw inputs as the model file.
    /// </summary>
    public static byte[] ToBytes(Module model, ModelSpec spec, StandardScaler? inputScaling = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        if (model is not Sequential sequential || sequential.Count != spec.Layers.Count)
            throw new ArgumentException(
                $"OnnxExporter: the model must be the Sequential built from the spec ({spec.Layers.Count} layers), got {model.GetType().Name}" +
                (model is Sequential s ? $" with {s.Count} layers" : ""));
        for (int i = 0; i < sequential.Count; i++)
        {
            string kind = spec.Layers[i].Kind;
            if (LayerRegistry.Find(sequential[i])?.Name != kind)
                throw new ArgumentException(
                    $"OnnxExporter: layer {i} ({kind}): the model's module {i} is a {sequential[i].GetType().Name}, which does not match the spec; export the model built from this spec");
        }
        return ToBytes(model, spec.Input, inputScaling);
    }

    /// <summary>The ONNX model as bytes (a serialized ModelProto); see <see cref="Export(Module, IReadOnlyList{int}, string)"/>.</summary>
    public static byte[] ToBytes(Module model, IReadOnlyList<int> sampleInputShape, StandardScaler? inputScaling = null)
    {
        ArgumentNullException.ThrowIfNull(sampleInputShape);
        var layers = ModelSpec.Flatten(model);
        ModelSpec spec;
        try
        {
            spec = ModelSpec.FromModules(layers.Select(l => l.Module).ToList(), sampleInputShape, "OnnxExporter");
        }
        catch (ModelSpecException e)
        {
            throw new ArgumentException($"OnnxExporter: {e.Message}", e);
        }

        var graph = new OnnxGraph();
        var infos = spec.InferShapes();
        string current = inputScaling is null ? "input" : Standardise(graph, inputScaling, spec.Input);
        for (int i = 0; i < layers.Count; i++)
        {
            string name = $"{i}_{infos[i].Type}", output = i == layers.Count - 1 ? "output" : name;
            var (module, prefix) = layers[i];
            LayerRegistry.Find(module)!.Export(new OnnxLayer(graph, name, prefix, current, output, infos[i]), module);
            current = output;
        }
        if (layers.Count == 0) graph.Node("Identity", "0_Identity", ["input"], ["output"]);

        var writer = new ProtoWriter();
        writer.Int64(OnnxProto.ModelIrVersion, IrVersion)
            .String(OnnxProto.ModelProducerName, "Dendrite")
            .String(OnnxProto.ModelProducerVersion, ModelFile.DendriteVersion)
            .Message(OnnxProto.ModelGraph, g =>
            {
                foreach (var node in graph.Nodes) g.Message(OnnxProto.GraphNode, node);
                g.String(OnnxProto.GraphName, "dendrite");
                foreach (var init in graph.Initializers) g.Message(OnnxProto.GraphInitializer, init);
                g.Message(OnnxProto.GraphInput, v => ValueInfo(v, "input", spec.Input));
                g.Message(OnnxProto.GraphOutput, v => ValueInfo(v, "output", spec.Output));
            })
            .Message(OnnxProto.ModelOpsetImport, o => o.String(OnnxProto.OpsetDomain, "").Int64(OnnxProto.OpsetVersion, Opset));
        return writer.ToArray();
    }

    /// <summary>(input − mean) / std as two nodes, the statistics shaped to broadcast over [N, ...sample]; returns the output's name.</summary>
    private static string Standardise(OnnxGraph graph, StandardScaler scaler, IReadOnlyList<int> sample)
    {
        int values = sample.Aggregate(1, (a, b) => a * b);
        int[] shape = scaler.Mean.Count == 1 ? [1] : scaler.Mean.Count == values ? [.. sample]
            : throw new ArgumentException($"OnnxExporter: the input scaling has {scaler.Mean.Count} features, the model's input [{string.Join(", ", sample)}] {values} values");
        string mean = graph.Weight("input_mean", Tensor.FromArray([.. scaler.Mean], shape));
        string std = graph.Weight("input_std", Tensor.FromArray([.. scaler.Std], shape));
        graph.Node("Sub", "input_Sub", ["input", mean], ["input_centred"]);
        graph.Node("Div", "input_Div", ["input_centred", std], ["input_standardised"]);
        return "input_standardised";
    }

    private static void ValueInfo(ProtoWriter v, string name, IReadOnlyList<int> sampleShape)
    {
        v.String(OnnxProto.ValueName, name);
        v.Message(OnnxProto.ValueType, t => t.Message(OnnxProto.TypeTensor, tensor =>
        {
            tensor.Int64(OnnxProto.TensorTypeElem, OnnxProto.Float32);
            tensor.Message(OnnxProto.TensorTypeShape, shape =>
            {
                shape.Message(OnnxProto.ShapeDim, d => d.String(OnnxProto.DimParam, "N"));
                foreach (var size in sampleShape) shape.Message(OnnxProto.ShapeDim, d => d.Int64(OnnxProto.DimValue, size));
            });
        }));
    }
}

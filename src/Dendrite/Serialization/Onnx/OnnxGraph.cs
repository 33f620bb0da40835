using System.Buffers.Binary;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Serialization.Onnx;

/// <summary>Field numbers of onnx.proto, and the enum values written.</summary>
internal static class OnnxProto
{
    public const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelGraph = 7, ModelOpsetImport = 8;
    public const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    public const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    public const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrFloats = 7, AttrInts = 8, AttrType = 20;
    public const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    public const int ValueName = 1, ValueType = 2, TypeTensor = 1, TensorTypeElem = 1, TensorTypeShape = 2;
    public const int ShapeDim = 1, DimValue = 1, DimParam = 2, OpsetDomain = 1, OpsetVersion = 2;

    // AttributeProto.AttributeType and TensorProto.DataType values.
    public const int AttrTypeFloat = 1, AttrTypeInt = 2, AttrTypeInts = 7;
    public const int Float32 = 1, Int64 = 7;
}

/// <summary>The nodes and initializers collected so far, each as a message writer.</summary>
internal sealed class OnnxGraph
{
    public List<Action<ProtoWriter>> Nodes { get; } = [];
    public List<Action<ProtoWriter>> Initializers { get; } = [];

    public void Node(string op, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, Action<OnnxAttributes>? attributes = null)
    {
        var ins = inputs.ToArray();
        var outs = outputs.ToArray();
        Nodes.Add(n =>
        {
            foreach (var input in ins) n.String(OnnxProto.NodeInput, input);
            foreach (var output in outs) n.String(OnnxProto.NodeOutput, output);
            n.String(OnnxProto.NodeName, name).String(OnnxProto.NodeOpType, op);
            attributes?.Invoke(new OnnxAttributes(n));
        });
    }

    /// <summary>A float32 initializer, stored as little-endian raw_data; returns its name.</summary>
    public string Weight(string name, Tensor value)
    {
        float[] data = value.Detach().Contiguous().ToArray();
        long[] dims = value.Shape.ToArray().Select(d => (long)d).ToArray();
        byte[] raw = new byte[data.Length * 4];
        for (int k = 0; k < data.Length; k++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(k * 4), data[k]);
        Initializers.Add(t => t.PackedInt64s(OnnxProto.TensorDims, dims).Int64(OnnxProto.TensorDataType, OnnxProto.Float32)
            .String(OnnxProto.TensorName, name).Bytes(OnnxProto.TensorRawData, raw));
        return name;
    }

    /// <summary>A 1-d int64 initializer (Reshape shapes); returns its name.</summary>
    public string Int64s(string name, long[] values)
    {
        byte[] raw = new byte[values.Length * 8];
        for (int k = 0; k < values.Length; k++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(k * 8), values[k]);
        Initializers.Add(t => t.PackedInt64s(OnnxProto.TensorDims, [values.Length]).Int64(OnnxProto.TensorDataType, OnnxProto.Int64)
            .String(OnnxProto.TensorName, name).Bytes(OnnxProto.TensorRawData, raw));
        return name;
    }
}

/// <summary>Writes a node's attributes.</summary>
internal readonly struct OnnxAttributes(ProtoWriter w)
{
    public void Int(string name, long value) =>
        w.Message(OnnxProto.NodeAttribute, a => a.String(OnnxProto.AttrName, name).Int64(OnnxProto.AttrI, value).Int64(OnnxProto.AttrType, OnnxProto.AttrTypeInt));

    public void Float(string name, float value) =>
        w.Message(OnnxProto.NodeAttribute, a => a.String(OnnxProto.AttrName, name).Float(OnnxProto.AttrF, value).Int64(OnnxProto.AttrType, OnnxProto.AttrTypeFloat));

    public void Ints(string name, params long[] values) =>
        w.Message(OnnxProto.NodeAttribute, a => a.String(OnnxProto.AttrName, name).PackedInt64s(OnnxProto.AttrInts, values).Int64(OnnxProto.AttrType, OnnxProto.AttrTypeInts));

    /// <summary>A sliding window's attributes: kernel_shape (pools only: Conv reads it from the weight), strides, pads, dilations (when given).</summary>
    public void Window(Size2d? kernelShape, Size2d stride, Pads2d pads, Size2d? dilation)
    {
        if (kernelShape is { } k) Ints("kernel_shape", k.H, k.W);
        Ints("strides", stride.H, stride.W);
        Ints("pads", pads.Top, pads.Left, pads.Bottom, pads.Right);
        if (dilation is { } d) Ints("dilations", d.H, d.W);
    }
}

/// <summary>
/// One layer being exported, as its <see cref="Layers.LayerType.Export"/> sees it: the graph, the value names
/// it reads and writes, its per-sample shapes, and names for its nodes and initializers.
/// </summary>
internal sealed class OnnxLayer(OnnxGraph graph, string name, string statePrefix, string input, string output, LayerInfo info)
{
    /// <summary>The value the layer reads.</summary>
    public string Input { get; } = input;

    /// <summary>The value the layer's last node writes.</summary>
    public string Output { get; } = output;

    /// <summary>The per-sample shape of <see cref="Input"/> (no batch dimension).</summary>
    public IReadOnlyList<int> InputShape => info.InputShape;

    /// <summary>The per-sample shape of <see cref="Output"/>.</summary>
    public IReadOnlyList<int> OutputShape => info.OutputShape;

    /// <summary>"layer 3 (conv2d)": how messages name the layer.</summary>
    public string Where => $"layer {info.Index} ({info.Type})";

    /// <summary>The layer's last node, named after the layer and writing <see cref="Output"/>.</summary>
    public void Node(string op, IEnumerable<string> inputs, Action<OnnxAttributes>? attributes = null) =>
        graph.Node(op, name, inputs, [Output], attributes);

    /// <summary>A node before the last one, named "{layer}_{node}" and writing "{layer}_{value}"; returns the value's name.</summary>
    public string Hidden(string op, string node, string value, IEnumerable<string> inputs, Action<OnnxAttributes>? attributes = null)
    {
        graph.Node(op, $"{name}_{node}", inputs, [$"{name}_{value}"], attributes);
        return $"{name}_{value}";
    }

    /// <summary>A float initializer named as the module's state dict names it ("3.weight"), or "3.onnx_..." for an export-only constant.</summary>
    public string Weight(string key, Tensor value) => graph.Weight(statePrefix + key, value);

    /// <summary>[<see cref="Input"/>, weight, bias]: the inputs of a Gemm or Conv node; no bias input when <paramref name="bias"/> is null.</summary>
    public List<string> Affine(Tensor weight, Tensor? bias)
    {
        var inputs = new List<string> { Input, Weight("weight", weight) };
        if (bias is not null) inputs.Add(Weight("bias", bias));
        return inputs;
    }

    /// <summary>An int64 initializer (a Reshape's target shape).</summary>
    public string Int64s(string key, params long[] values) => graph.Int64s(statePrefix + key, values);

    /// <summary>An error for a layer the exporter cannot express: "OnnxExporter: layer 3 (conv2d): ...".</summary>
    public NotSupportedException NotSupported(string message) => new($"OnnxExporter: {Where}: {message}");
}

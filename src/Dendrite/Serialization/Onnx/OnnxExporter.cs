using System.Buffers.Binary;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.Serialization.Onnx;

/// <summary>
/// Exports a <see cref="Sequential"/> built from a <see cref="ModelSpec"/> to ONNX (opset
/// <see cref="Opset"/>, IR version <see cref="IrVersion"/>) for inference in evaluation mode: graph input
/// "input" [N, ...spec input] and output "output" [N, ...spec output] with a symbolic batch dimension N;
/// weights become initializers under their state-dict names. Mapping: Linear → Gemm (transB = 1); Conv2d →
/// Conv (pads, strides, dilations, group; "same" padding as explicit pads); MaxPool2d → MaxPool;
/// AvgPool2d → AveragePool (count_include_pad); AdaptiveAvgPool2d → GlobalAveragePool for a 1×1 output or
/// AveragePool when the input divides evenly (otherwise not supported); BatchNorm → BatchNormalization with
/// the running statistics; ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax (axis) → the same operators;
/// Identity and Dropout → Identity; Flatten → Flatten (axis 1) or Reshape; Step → Cast(Greater(x, 0));
/// Maxout → Gemm, Reshape, ReduceMax. FeatureMap has no export (a clear error names the layer).
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the graph uses.</summary>
    public const int Opset = 13;

    /// <summary>The ONNX IR version written (8: ONNX 1.10 and later, onnxruntime 1.10 and later).</summary>
    public const int IrVersion = 8;

    // Field numbers of onnx.proto.
    private static class F
    {
        public const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelGraph = 7, ModelOpsetImport = 8;
        public const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
        public const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
        public const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrFloats = 7, AttrInts = 8, AttrType = 20;
        public const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
        public const int ValueName = 1, ValueType = 2, TypeTensor = 1, TensorTypeElem = 1, TensorTypeShape = 2;
        public const int ShapeDim = 1, DimValue = 1, DimParam = 2, OpsetDomain = 1, OpsetVersion = 2;
    }

    // AttributeProto.AttributeType and TensorProto.DataType values.
    private const int AttrFloat = 1, AttrInt = 2, AttrInts = 7;
    private const int Float32 = 1, Int64 = 7;

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as ONNX, atomically (see <see cref="SafeTensors.Save(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?)"/>).</summary>
    public static void Export(Module model, ModelSpec spec, string path)
    {
        byte[] bytes = ToBytes(model, spec);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>The ONNX model as bytes (a serialized ModelProto).</summary>
    public static byte[] ToBytes(Module model, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        if (model is not Sequential sequential || sequential.Count != spec.Layers.Count)
            throw new ArgumentException(
                $"OnnxExporter: the model must be the Sequential built from the spec ({spec.Layers.Count} layers), got {model.GetType().Name}" +
                (model is Sequential s ? $" with {s.Count} layers" : ""));
        var graph = new Graph();
        var infos = spec.InferShapes();
        string current = "input";
        for (int i = 0; i < sequential.Count; i++)
        {
            string output = i == sequential.Count - 1 ? "output" : $"{i}_{infos[i].Type}";
            AddLayer(graph, i, infos[i], spec.Geometry(i), sequential[i], current, output);
            current = output;
        }
        if (sequential.Count == 0) graph.Node("Identity", "0_Identity", ["input"], ["output"]);

        var writer = new ProtoWriter();
        writer.Int64(F.ModelIrVersion, IrVersion)
            .String(F.ModelProducerName, "Dendrite")
            .String(F.ModelProducerVersion, ModelFile.DendriteVersion)
            .Message(F.ModelGraph, g =>
            {
                foreach (var node in graph.Nodes) g.Message(F.GraphNode, node);
                g.String(F.GraphName, "dendrite");
                foreach (var init in graph.Initializers) g.Message(F.GraphInitializer, init);
                g.Message(F.GraphInput, v => ValueInfo(v, "input", spec.Input));
                g.Message(F.GraphOutput, v => ValueInfo(v, "output", spec.Output));
            })
            .Message(F.ModelOpsetImport, o => o.String(F.OpsetDomain, "").Int64(F.OpsetVersion, Opset));
        return writer.ToArray();
    }

    private static void AddLayer(Graph g, int i, LayerInfo info, (Kernels.Window2d? Window, bool CountIncludePad) geometry, Module module,
        string x, string y)
    {
        string where = $"layer {i} ({info.Type})";
        string name = $"{i}_{info.Type}";
        switch (info.Type, module)
        {
            case ("linear", Linear linear):
            {
                var inputs = new List<string> { x, g.Weight($"{i}.weight", linear.Weight) };
                if (linear.Bias is not null) inputs.Add(g.Weight($"{i}.bias", linear.Bias));
                g.Node("Gemm", name, inputs, [y], w => Int(w, "transB", 1));
                break;
            }
            case ("conv2d", Conv2d conv):
            {
                var win = geometry.Window!.Value;
                var inputs = new List<string> { x, g.Weight($"{i}.weight", conv.Weight) };
                if (conv.Bias is not null) inputs.Add(g.Weight($"{i}.bias", conv.Bias));
                g.Node("Conv", name, inputs, [y], w =>
                {
                    Window(w, win, dilations: true);
                    Int(w, "group", conv.Groups);
                });
                break;
            }
            case ("maxpool2d", MaxPool2d):
                g.Node("MaxPool", name, [x], [y], w => Window(w, geometry.Window!.Value, dilations: true, kernelShape: true));
                break;
            case ("avgpool2d", AvgPool2d):
                g.Node("AveragePool", name, [x], [y], w =>
                {
                    Window(w, geometry.Window!.Value, dilations: false, kernelShape: true);
                    Int(w, "count_include_pad", geometry.CountIncludePad ? 1 : 0);
                });
                break;
            case ("adaptiveavgpool2d", AdaptiveAvgPool2d adaptive):
            {
                int h = info.InputShape[1], width = info.InputShape[2], oh = adaptive.OutputSize.H, ow = adaptive.OutputSize.W;
                if (oh == 1 && ow == 1)
                {
                    g.Node("GlobalAveragePool", name, [x], [y]);
                }
                else if (h % oh == 0 && width % ow == 0)
                {
                    // With evenly dividing sizes PyTorch's adaptive windows are exactly a strided average pool.
                    g.Node("AveragePool", name, [x], [y], w =>
                    {
                        Ints(w, "kernel_shape", h / oh, width / ow);
                        Ints(w, "strides", h / oh, width / ow);
                    });
                }
                else
                {
                    throw new NotSupportedException(
                        $"OnnxExporter: {where}: output size ({oh}, {ow}) from input {ModelSpec.Format(info.InputShape)} has uneven windows, " +
                        "which ONNX cannot express; use output size 1 or one that divides the input");
                }
                break;
            }
            case ("batchnorm1d" or "batchnorm2d", BatchNormBase bn):
            {
                if (bn.RunningMean is null || bn.RunningVar is null)
                    throw new NotSupportedException(
                        $"OnnxExporter: {where}: batch norm without running statistics (track_running_stats=false) cannot be exported for inference");
                string scale = bn.Weight is null ? g.Weight($"{i}.onnx_scale", Tensor.Ones(bn.NumFeatures)) : g.Weight($"{i}.weight", bn.Weight);
                string shift = bn.Bias is null ? g.Weight($"{i}.onnx_bias", Tensor.Zeros(bn.NumFeatures)) : g.Weight($"{i}.bias", bn.Bias);
                string mean = g.Weight($"{i}.running_mean", bn.RunningMean), variance = g.Weight($"{i}.running_var", bn.RunningVar);
                g.Node("BatchNormalization", name, [x, scale, shift, mean, variance], [y], w => Float(w, "epsilon", bn.Eps));
                break;
            }
            case ("relu", ReLU): g.Node("Relu", name, [x], [y]); break;
            case ("sigmoid", Sigmoid): g.Node("Sigmoid", name, [x], [y]); break;
            case ("tanh", Tanh): g.Node("Tanh", name, [x], [y]); break;
            case ("identity", Identity): g.Node("Identity", name, [x], [y]); break;
            case ("dropout", Dropout): g.Node("Identity", name, [x], [y]); break;
            case ("leakyrelu", LeakyReLU leaky): g.Node("LeakyRelu", name, [x], [y], w => Float(w, "alpha", leaky.NegativeSlope)); break;
            case ("softmax", Softmax softmax): g.Node("Softmax", name, [x], [y], w => Int(w, "axis", softmax.Axis)); break;
            case ("logsoftmax", LogSoftmax logSoftmax): g.Node("LogSoftmax", name, [x], [y], w => Int(w, "axis", logSoftmax.Axis)); break;
            case ("step", Step):
            {
                string zero = g.Weight($"{i}.onnx_zero", Tensor.Scalar(0));
                g.Node("Greater", name + "_greater", [x, zero], [name + "_mask"]);
                g.Node("Cast", name, [name + "_mask"], [y], w => Int(w, "to", Float32));
                break;
            }
            case ("flatten", Flatten):
            {
                if (info.OutputShape.Count == 1)
                {
                    g.Node("Flatten", name, [x], [y], w => Int(w, "axis", 1));
                }
                else
                {
                    // A partial flatten: Reshape, with 0 copying the (symbolic) batch size.
                    string shape = g.Int64s($"{i}.onnx_shape", [0, .. info.OutputShape.Select(d => (long)d)]);
                    g.Node("Reshape", name, [x, shape], [y]);
                }
                break;
            }
            case ("maxout", Maxout maxout):
            {
                var inputs = new List<string> { x, g.Weight($"{i}.weight", maxout.Weight) };
                if (maxout.Bias is not null) inputs.Add(g.Weight($"{i}.bias", maxout.Bias));
                g.Node("Gemm", name + "_gemm", inputs, [name + "_pieces"], w => Int(w, "transB", 1));
                string shape = g.Int64s($"{i}.onnx_shape", [0, maxout.OutFeatures, maxout.Pieces]);
                g.Node("Reshape", name + "_group", [name + "_pieces", shape], [name + "_grouped"]);
                g.Node("ReduceMax", name, [name + "_grouped"], [y], w =>
                {
                    Ints(w, "axes", 2);
                    Int(w, "keepdims", 0);
                });
                break;
            }
            case ("featuremap", _):
                throw new NotSupportedException($"OnnxExporter: {where} is not supported: FeatureMap has no ONNX export; export the layers after it");
            default:
                throw new ArgumentException(
                    $"OnnxExporter: {where}: the model's module {i} is a {module.GetType().Name}, which does not match the spec; export the model built from this spec");
        }
    }

    private static void ValueInfo(ProtoWriter v, string name, IReadOnlyList<int> sampleShape)
    {
        v.String(F.ValueName, name);
        v.Message(F.ValueType, t => t.Message(F.TypeTensor, tensor =>
        {
            tensor.Int64(F.TensorTypeElem, Float32);
            tensor.Message(F.TensorTypeShape, shape =>
            {
                shape.Message(F.ShapeDim, d => d.String(F.DimParam, "N"));
                foreach (var size in sampleShape) shape.Message(F.ShapeDim, d => d.Int64(F.DimValue, size));
            });
        }));
    }

    private static void Window(ProtoWriter w, Kernels.Window2d win, bool dilations, bool kernelShape = false)
    {
        if (kernelShape) Ints(w, "kernel_shape", win.KernelH, win.KernelW);
        Ints(w, "strides", win.StrideH, win.StrideW);
        Ints(w, "pads", win.PadTop, win.PadLeft, win.PadBottom, win.PadRight);
        if (dilations) Ints(w, "dilations", win.DilationH, win.DilationW);
    }

    private static void Int(ProtoWriter w, string name, long value) =>
        w.Message(F.NodeAttribute, a => a.String(F.AttrName, name).Int64(F.AttrI, value).Int64(F.AttrType, AttrInt));

    private static void Float(ProtoWriter w, string name, float value) =>
        w.Message(F.NodeAttribute, a => a.String(F.AttrName, name).Float(F.AttrF, value).Int64(F.AttrType, AttrFloat));

    private static void Ints(ProtoWriter w, string name, params long[] values) =>
        w.Message(F.NodeAttribute, a => a.String(F.AttrName, name).PackedInt64s(F.AttrInts, values).Int64(F.AttrType, AttrInts));

    /// <summary>The nodes and initializers collected so far, each as a message writer.</summary>
    private sealed class Graph
    {
        public List<Action<ProtoWriter>> Nodes { get; } = [];
        public List<Action<ProtoWriter>> Initializers { get; } = [];

        public void Node(string op, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, Action<ProtoWriter>? attributes = null)
        {
            var ins = inputs.ToArray();
            var outs = outputs.ToArray();
            Nodes.Add(n =>
            {
                foreach (var input in ins) n.String(F.NodeInput, input);
                foreach (var output in outs) n.String(F.NodeOutput, output);
                n.String(F.NodeName, name).String(F.NodeOpType, op);
                attributes?.Invoke(n);
            });
        }

        /// <summary>A float32 initializer, stored as little-endian raw_data; returns its name.</summary>
        public string Weight(string name, Tensor value)
        {
            float[] data = value.Detach().Contiguous().ToArray();
            long[] dims = value.Shape.ToArray().Select(d => (long)d).ToArray();
            byte[] raw = new byte[data.Length * 4];
            for (int k = 0; k < data.Length; k++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(k * 4), data[k]);
            Initializers.Add(t => t.PackedInt64s(F.TensorDims, dims).Int64(F.TensorDataType, Float32).String(F.TensorName, name).Bytes(F.TensorRawData, raw));
            return name;
        }

        /// <summary>A 1-d int64 initializer (Reshape shapes); returns its name.</summary>
        public string Int64s(string name, long[] values)
        {
            byte[] raw = new byte[values.Length * 8];
            for (int k = 0; k < values.Length; k++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(k * 8), values[k]);
            Initializers.Add(t => t.PackedInt64s(F.TensorDims, [values.Length]).Int64(F.TensorDataType, Int64).String(F.TensorName, name).Bytes(F.TensorRawData, raw));
            return name;
        }
    }
}

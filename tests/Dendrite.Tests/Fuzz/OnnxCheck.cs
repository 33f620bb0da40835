using System.Buffers.Binary;
using System.Text;

namespace Dendrite.Tests.Fuzz;

/// <summary>
/// An independent reading of the exporter's output, written from onnx.proto's field numbers rather than the
/// exporter's constants: the bytes must be well-formed protobuf; the graph must have its input and output,
/// every node an op type and inputs that an earlier node, an initializer or the graph input defines, no
/// name defined twice; every float initializer as many bytes as its dims say, and each of the model's
/// weights and running statistics stored bit for bit under its state-dict name.
/// </summary>
public static class OnnxCheck
{
    private sealed record Field(int Number, int WireType, ulong Varint, byte[] Bytes);

    public static void Validate(byte[] model, IReadOnlyDictionary<string, Tensor> weights)
    {
        var top = Parse(model, "ModelProto");
        var graphs = top.Where(f => f.Number == 7).ToList();
        FuzzTargets.Require(graphs.Count == 1 && graphs[0].WireType == 2, $"onnx: {graphs.Count} graphs");
        FuzzTargets.Require(top.Any(f => f.Number == 8 && f.WireType == 2), "onnx: no opset_import");
        var graph = Parse(graphs[0].Bytes, "GraphProto");

        var defined = new HashSet<string>(StringComparer.Ordinal);
        void Define(string name, string what) =>
            FuzzTargets.Require(name.Length > 0 && defined.Add(name), $"onnx: {what} '{name}' is empty or defined twice");

        foreach (var input in graph.Where(f => f.Number == 11)) Define(ValueName(input.Bytes), "graph input");
        var initializers = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var init in graph.Where(f => f.Number == 5))
        {
            var (name, values) = FloatTensor(init.Bytes);
            Define(name, "initializer");
            if (values is not null) initializers[name] = values;
        }
        foreach (var node in graph.Where(f => f.Number == 1))
        {
            var fields = Parse(node.Bytes, "NodeProto");
            string op = Text(fields, 4);
            FuzzTargets.Require(op.Length > 0, "onnx: a node has no op_type");
            foreach (var input in fields.Where(f => f.Number == 1).Select(f => Utf8(f.Bytes)))
                FuzzTargets.Require(input.Length == 0 || defined.Contains(input), $"onnx: node {op} reads '{input}', defined by nothing before it");
            foreach (var output in fields.Where(f => f.Number == 2)) Define(Utf8(output.Bytes), $"{op} output");
        }
        var outputs = graph.Where(f => f.Number == 12).Select(f => ValueName(f.Bytes)).ToList();
        FuzzTargets.Require(outputs.Count == 1 && defined.Contains(outputs[0]), "onnx: the graph output is missing or computed by no node");

        foreach (var (name, tensor) in weights)
        {
            // A batch norm's step counter only matters in training; inference does not need it.
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
            FuzzTargets.Require(initializers.TryGetValue(name, out var stored), $"onnx: weight '{name}' is not an initializer");
            var expected = tensor.ToArray();
            FuzzTargets.Require(stored!.Length == expected.Length, $"onnx: '{name}' holds {stored.Length} values, the model {expected.Length}");
            for (int i = 0; i < expected.Length; i++)
                FuzzTargets.Require(BitConverter.SingleToInt32Bits(stored[i]) == BitConverter.SingleToInt32Bits(expected[i]),
                    $"onnx: '{name}'[{i}] is {stored[i]}, the model has {expected[i]}");
        }
    }

    /// <summary>A TensorProto's name and, for FLOAT raw data, its values (sized by its dims).</summary>
    private static (string Name, float[]? Values) FloatTensor(byte[] bytes)
    {
        var fields = Parse(bytes, "TensorProto");
        string name = Text(fields, 8);
        long count = 1;
        foreach (var d in fields.Where(f => f.Number == 1))
        {
            if (d.WireType == 0) count = checked(count * (long)d.Varint);
            else foreach (ulong v in PackedVarints(d.Bytes)) count = checked(count * (long)v);
        }
        var type = fields.Where(f => f.Number == 2).Select(f => (long)f.Varint).DefaultIfEmpty(0).Single();
        var raw = fields.Where(f => f.Number == 9).Select(f => f.Bytes).SingleOrDefault();
        if (type != 1) return (name, null);
        FuzzTargets.Require(raw is not null && raw.LongLength == count * 4, $"onnx: initializer '{name}' has {raw?.Length} bytes for {count} floats");
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4));
        return (name, values);
    }

    private static string ValueName(byte[] valueInfo) => Text(Parse(valueInfo, "ValueInfoProto"), 1);

    private static string Text(List<Field> fields, int number) =>
        fields.Where(f => f.Number == number && f.WireType == 2).Select(f => Utf8(f.Bytes)).LastOrDefault() ?? "";

    private static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static IEnumerable<ulong> PackedVarints(byte[] bytes)
    {
        int pos = 0;
        while (pos < bytes.Length) yield return ReadVarint(bytes, ref pos, "packed dims");
    }

    /// <summary>One message's fields; fails on a truncated or malformed encoding.</summary>
    private static List<Field> Parse(byte[] bytes, string message)
    {
        var fields = new List<Field>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            ulong key = ReadVarint(bytes, ref pos, message);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            FuzzTargets.Require(number > 0, $"onnx: {message} has field number 0");
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, 0, ReadVarint(bytes, ref pos, message), []));
                    break;
                case 1 or 5:
                    int width = wire == 1 ? 8 : 4;
                    FuzzTargets.Require(bytes.Length - pos >= width, $"onnx: {message} field {number} is cut short");
                    fields.Add(new Field(number, wire, 0, bytes[pos..(pos + width)]));
                    pos += width;
                    break;
                case 2:
                    ulong length = ReadVarint(bytes, ref pos, message);
                    FuzzTargets.Require(length <= (ulong)(bytes.Length - pos), $"onnx: {message} field {number} runs past its message");
                    fields.Add(new Field(number, 2, 0, bytes[pos..(pos + (int)length)]));
                    pos += (int)length;
                    break;
                default:
                    throw new FuzzContractException($"onnx: {message} field {number} has wire type {wire}");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(byte[] bytes, ref int pos, string message)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            FuzzTargets.Require(pos < bytes.Length, $"onnx: {message} ends inside a varint");
            byte b = bytes[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new FuzzContractException($"onnx: {message} has a varint longer than 10 bytes");
    }
}

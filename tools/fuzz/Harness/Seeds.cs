using System.IO.Compression;
using Dendrite.Data.Formats;
using Dendrite.Serialization;

namespace Dendrite.Fuzz;

/// <summary>
/// Writes small valid inputs made by the library itself into tools/fuzz/corpus/READER/ (run.sh's seeds, with
/// the checkpoint and model files that make_seeds.sh trains with the dendrite tool and the PNG fixtures).
/// </summary>
internal static class Seeds
{
    // Specs covering every layer type and the options that change shapes; small enough for seeds to be tiny.
    private static readonly string[] Specs =
    [
        """{"input": [2], "layers": [{"type": "featuremap", "features": ["x1", "x2", "x1x2", "sin_x1"]}, {"type": "linear", "out_features": 3}, {"type": "tanh"}, {"type": "linear", "out_features": 2}, {"type": "softmax"}]}""",
        """{"input": [1, 6, 6], "layers": [{"type": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1}, {"type": "batchnorm2d"}, {"type": "relu"}, {"type": "maxpool2d", "kernel_size": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 3}, {"type": "logsoftmax", "dim": 1}]}""",
        """{"input": [2, 5, 4], "layers": [{"type": "conv2d", "out_channels": 2, "kernel_size": [2, 3], "stride": 1, "padding": "same", "dilation": 1, "groups": 2, "bias": false}, {"type": "avgpool2d", "kernel_size": 2, "stride": 1, "padding": 1, "count_include_pad": false}, {"type": "adaptiveavgpool2d", "output_size": 1}, {"type": "flatten", "start_dim": 1, "end_dim": -1}, {"type": "sigmoid"}]}""",
        """{"input": [4], "layers": [{"type": "maxout", "out_features": 3, "pieces": 2}, {"type": "batchnorm1d", "eps": 0.001, "momentum": 0.2}, {"type": "leakyrelu", "negative_slope": 0.1}, {"type": "dropout", "p": 0.25}, {"type": "linear", "out_features": 1, "bias": false}]}""",
        """{"input": [3, 3], "layers": [{"type": "flatten", "start_dim": 1, "end_dim": 2}, {"type": "identity"}]}""",
    ];

    public static void Write(string root)
    {
        var specs = Specs.Select(ModelSpec.Parse).Concat(
            [ModelSpec.FromName("lenet5"), ModelSpec.FromName("perceptron"), ModelSpec.FromName("mlp:3:sigmoid", inputs: 4, outputs: 2)]).ToList();
        var layerTypes = specs.SelectMany(s => s.Layers.Select(l => l.Kind)).ToHashSet();
        var missing = ModelSpec.LayerTypes.Where(t => !layerTypes.Contains(t)).ToList();
        if (missing.Count > 0) Console.Error.WriteLine($"seeds: no spec uses {string.Join(", ", missing)}");

        string Dir(string reader) => Directory.CreateDirectory(Path.Combine(root, reader)).FullName;
        for (int i = 0; i < specs.Count; i++)
        {
            File.WriteAllText(Path.Combine(Dir("spec"), $"spec{i}.json"), specs[i].ToJson(indented: false));
            // lenet5's weights (248 KB) are too big a seed; the others are model files for the loader and the exporter.
            if (specs[i].Layers.Count > 7) continue;
            string model = Path.Combine(Dir("onnx"), $"model{i}.safetensors");
            ModelFile.Save(model, specs[i].Build(new Generator((ulong)i)), specs[i]);
            File.Copy(model, Path.Combine(Dir("safetensors"), $"model{i}.safetensors"), overwrite: true);
        }

        // IDX: each element type, plain and gzip'd, MNIST-shaped images and labels.
        var types = new (IdxType Type, int[] Dims)[]
        {
            (IdxType.UnsignedByte, [3, 2, 2]), (IdxType.UnsignedByte, [4]), (IdxType.SignedByte, [2, 3]),
            (IdxType.Short, [3]), (IdxType.Int, [2, 1]), (IdxType.Float, [2, 2]), (IdxType.Double, [1, 2]),
        };
        foreach (var (type, dims) in types)
        {
            int bytes = dims.Aggregate(1, (a, b) => a * b) * Idx.ElementSize(type);
            var payload = Enumerable.Range(0, bytes).Select(b => (byte)(b * 37 + 1)).ToArray();
            var plain = new MemoryStream();
            Idx.Write(plain, type, dims, payload);
            string name = $"{type}-{string.Join("x", dims)}".ToLowerInvariant();
            File.WriteAllBytes(Path.Combine(Dir("idx"), name + ".idx"), plain.ToArray());
            var packed = new MemoryStream();
            using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true)) gzip.Write(plain.ToArray());
            File.WriteAllBytes(Path.Combine(Dir("idx"), name + ".idx.gz"), packed.ToArray());
        }

        // PNG: what the encoder writes, at each channel count (the decoder fixtures are copied by make_seeds.sh).
        foreach (int channels in new[] { 1, 3, 4 })
        {
            var pixels = Enumerable.Range(0, 5 * 3 * channels).Select(b => (byte)(b * 29)).ToArray();
            File.WriteAllBytes(Path.Combine(Dir("png"), $"encoded{channels}.png"), Png.Encode(pixels, 5, 3, channels));
        }

        // CSV: quoting, empty and missing cells, string and numeric columns, CRLF, a BOM.
        string[] csvs =
        [
            "a,b,class\n1,2,x\n3.5,-4e2,y\n",
            "\uFEFFx,\"quoted, name\",target\r\n\"1\",\"a \"\"b\"\"\",0.5\r\n,c,1.5\r\n",
            "colour,size,label\nred,,yes\nblue,3,no\nred,NaN,yes\n",
            "only\n1\n2\n",
            "f1,f2\n\"multi\nline\",2\n",
        ];
        for (int i = 0; i < csvs.Length; i++) File.WriteAllText(Path.Combine(Dir("csv"), $"table{i}.csv"), csvs[i]);
    }
}

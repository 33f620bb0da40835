using Dendrite.Data.Formats;
using Dendrite.Tensors;

namespace Dendrite.Data.Datasets;

/// <summary>
/// The MNIST handwritten digits (LeCun, Cortes, Burges) from a directory holding the four IDX files under
/// their original names — <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
/// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c> — each plain or gzip-compressed
/// (<c>.gz</c>; compression is recognised by its magic bytes). Like <c>torchvision.datasets.MNIST</c>
/// with <c>ToTensor()</c>: inputs [N, 1, H, W] (28×28 for MNIST) holding byte/255 in [0, 1], targets [N]
/// holding the class index 0–9 as a float. <see cref="DatasetDownloader.Mnist"/> fetches the full 70,000 digits.
/// </summary>
public static class Mnist
{
    /// <summary>
    /// Loads the training set (<paramref name="train"/> = true, 60,000 digits in full MNIST) or the test set
    /// (10,000) from <paramref name="directory"/>. Every file is validated (magic number, element type,
    /// dimension count, length against the header, image count against label count, labels in 0–9) and any
    /// problem is an <see cref="InvalidDataException"/> naming the file; missing files give a
    /// <see cref="FileNotFoundException"/> listing the expected names.
    /// </summary>
    public static TensorDataset Load(string directory, bool train = true) => MnistFormat.Load("MNIST", directory, train);

    /// <summary>The IDX file names of one split, without the optional <c>.gz</c>: images first, then labels.</summary>
    public static IReadOnlyList<string> FileNames(bool train) =>
        train ? ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"] : ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
}

/// <summary>
/// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 28×28 grey images of 10 kinds of clothing in MNIST's exact
/// format and file names, a drop-in replacement for <see cref="Mnist"/>. Same shapes and scaling:
/// inputs [N, 1, 28, 28] in [0, 1], targets [N] class indices; <see cref="Classes"/> names them.
/// </summary>
public static class FashionMnist
{
    /// <summary>The class names, by index.</summary>
    public static IReadOnlyList<string> Classes { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads the training set (60,000) or test set (10,000) from <paramref name="directory"/>; see <see cref="Mnist.Load"/>.</summary>
    public static TensorDataset Load(string directory, bool train = true) => MnistFormat.Load("Fashion-MNIST", directory, train);
}

/// <summary>The loader shared by MNIST and Fashion-MNIST.</summary>
internal static class MnistFormat
{
    public static TensorDataset Load(string name, string directory, bool train)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var names = Mnist.FileNames(train);
        string imagesPath = Find(name, directory, names[0], names);
        string labelsPath = Find(name, directory, names[1], names);

        var images = Idx.Read(imagesPath, name, "images", (type, dims) => CheckHeader(type, dims, "images", 3, "[N, rows, columns]"));
        var labels = Idx.Read(labelsPath, name, "labels", (type, dims) => CheckHeader(type, dims, "labels", 1, "[N]"));

        int n = images.Dimensions[0], rows = images.Dimensions[1], cols = images.Dimensions[2];
        if (labels.Dimensions[0] != n)
            throw new InvalidDataException($"{name}: {labelsPath} holds {labels.Dimensions[0]} labels but {imagesPath} holds {n} images");

        var targets = new float[n];
        var raw = labels.Payload;
        for (int i = 0; i < n; i++)
        {
            if (raw[i] > 9)
                throw new InvalidDataException($"{name}: {labelsPath}: label {raw[i]} at index {i} is outside 0–9");
            targets[i] = raw[i];
        }

        // Filled in place: the 60,000-image set is 188 MB of floats, not worth a second copy.
        var inputs = Tensor.Zeros(n, 1, rows, cols);
        var pixels = inputs.Data;
        var bytes = images.Payload;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = bytes[i] / 255f;
        return new TensorDataset(inputs, Tensor.FromArray(targets, n));
    }

    private static string? CheckHeader(IdxType type, int[] dims, string what, int rank, string layout) =>
        type != IdxType.UnsignedByte ? $"{what} must be unsigned bytes (IDX type 0x08), got {type} (0x{(byte)type:X2})"
        : dims.Length != rank ? $"{what} must have {rank} dimension{(rank > 1 ? "s" : "")} {layout}, got [{string.Join(",", dims)}]"
        : null;

    private static string Find(string name, string directory, string file, IReadOnlyList<string> names)
    {
        string plain = Path.Combine(directory, file), gz = plain + ".gz";
        if (File.Exists(gz)) return gz;
        if (File.Exists(plain)) return plain;
        string expected = string.Join(", ", names.Select(f => $"{f}[.gz]"));
        string why = Directory.Exists(directory) ? $"{file}[.gz] is missing" : "the directory does not exist";
        throw new FileNotFoundException($"{name}: {directory}: {why}; expected the files {expected} (DatasetDownloader downloads them)", gz);
    }
}

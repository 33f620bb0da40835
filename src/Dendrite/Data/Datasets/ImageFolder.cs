using Dendrite.Data.Formats;
using Dendrite.Data.Transforms;
using Dendrite.Tensors;

namespace Dendrite.Data.Datasets;

/// <summary>
/// Images stored one folder per class — root/cat/001.png, root/dog/xyz.png — like
/// <c>torchvision.datasets.ImageFolder</c>: classes are the sub-folder names sorted ordinally, and class i's
/// samples have target i (a float). Files are *.png (decoded by <see cref="Png"/>), sorted by name within a
/// class. Each image is decoded when its sample is read (nothing is cached), to [C, H, W] floats in [0, 1]:
/// C = 1 with <c>grayscale</c> (luma, see <see cref="PngImage.ToTensor"/>), else 3 (RGB; alpha dropped).
/// <c>size</c> resizes every image to (height, width) bilinearly; without it, images must share one size
/// for a <see cref="DataLoader"/> to stack them. <c>transform</c> runs after decoding and resizing.
/// </summary>
public sealed class ImageFolder : IDataset
{
    private readonly (string Path, int Class)[] samples;
    private readonly Resize? resize;

    /// <summary>Indexes <paramref name="root"/>; throws when it is missing or holds no class folder with PNG files.</summary>
    public ImageFolder(string root, bool grayscale = false, (int Height, int Width)? size = null, ITransform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"ImageFolder: {root}: directory not found");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new InvalidDataException($"ImageFolder: {root}: no class sub-folders (expected root/class_name/image.png)");
        var list = new List<(string, int)>();
        for (int c = 0; c < classes.Length; c++)
            foreach (var file in Directory.GetFiles(Path.Combine(root, classes[c]))
                         .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
                list.Add((file, c));
        if (list.Count == 0)
            throw new InvalidDataException($"ImageFolder: {root}: no .png files in the class folders {string.Join(", ", classes)}");
        samples = [.. list];
        Root = root;
        Classes = classes;
        Grayscale = grayscale;
        Transform = transform;
        if (size is { } s) resize = new Resize(s.Height, s.Width);
    }

    /// <summary>The root folder.</summary>
    public string Root { get; }

    /// <summary>Class names (sub-folder names) by class index.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Whether images load as one grey channel (else RGB).</summary>
    public bool Grayscale { get; }

    /// <summary>The transform applied after decoding and resizing, or null.</summary>
    public ITransform? Transform { get; }

    /// <summary>The (file, class index) of every sample, in order.</summary>
    public IReadOnlyList<(string Path, int Class)> Samples => samples;

    /// <inheritdoc />
    public int Count => samples.Length;

    /// <summary>Sample <paramref name="index"/>: the decoded image [C, H, W] and its class index as a scalar.</summary>
    public (Tensor Input, Tensor Target) this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index), $"ImageFolder: index {index} is outside [0, {Count})");
            var (path, cls) = samples[index];
            var image = Png.Read(path).ToTensor(Grayscale ? 1 : 3);
            if (resize is not null) image = resize.Apply(image);
            if (Transform is not null) image = Transform.Apply(image);
            return (image, Tensor.Scalar(cls));
        }
    }
}

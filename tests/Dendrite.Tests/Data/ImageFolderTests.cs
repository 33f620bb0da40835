using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Data.Formats;
using Dendrite.Data.Transforms;

namespace Dendrite.Tests.Data;

public class ImageFolderTests
{
    // root/dog has two 3×2 RGB images, root/cat one; "notes.txt" files are ignored.
    private static TempDir MakeFolder()
    {
        var dir = new TempDir();
        Directory.CreateDirectory(dir.File("dog"));
        Directory.CreateDirectory(dir.File("cat"));
        Directory.CreateDirectory(dir.File("empty"));
        byte[] Pixels(byte v) => [.. Enumerable.Range(0, 3 * 2 * 3).Select(i => (byte)(v + i))];
        File.WriteAllBytes(Path.Combine(dir.Path, "dog", "b.png"), Png.Encode(Pixels(100), 3, 2, 3));
        File.WriteAllBytes(Path.Combine(dir.Path, "dog", "a.png"), Png.Encode(Pixels(50), 3, 2, 3));
        File.WriteAllBytes(Path.Combine(dir.Path, "cat", "z.png"), Png.Encode(Pixels(0), 3, 2, 3));
        File.WriteAllText(Path.Combine(dir.Path, "cat", "notes.txt"), "not an image");
        return dir;
    }

    [Fact]
    public void ClassesAreSortedFolderNames()
    {
        using var dir = MakeFolder();
        var ds = new ImageFolder(dir.Path);
        Assert.Equal(["cat", "dog", "empty"], ds.Classes);
        Assert.Equal(3, ds.Count);
        Assert.Equal([0, 1, 1], ds.Samples.Select(s => s.Class));
        Assert.Equal("a.png", Path.GetFileName(ds.Samples[1].Path));
        var (x, t) = ds[1];
        Assert.Equal(new Shape([3, 2, 3]), x.Shape);
        Assert.Equal(1f, t.Item());
        // Channel-first: the red plane holds bytes 50, 53, 56, ... over 255.
        Assert.Equal(50 / 255f, x[0, 0, 0].Item());
        Assert.Equal(53 / 255f, x[0, 0, 1].Item());
        Assert.Equal(51 / 255f, x[1, 0, 0].Item());
    }

    [Fact]
    public void GrayscaleResizeAndTransform()
    {
        using var dir = MakeFolder();
        var ds = new ImageFolder(dir.Path, grayscale: true, size: (4, 6), transform: new Normalize([0.5f], [0.25f]));
        var (x, _) = ds[0];
        Assert.Equal(new Shape([1, 4, 6]), x.Shape);
        var batch = new DataLoader(ds, 3).Single();
        Assert.Equal(new Shape([3, 1, 4, 6]), batch.Inputs.Shape);
        Assert.Equal([0f, 1f, 1f], batch.Targets.ToArray());
    }

    [Fact]
    public void ErrorsNameTheFolderOrFile()
    {
        using var dir = MakeFolder();
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolder(dir.File("nope")));
        Assert.Contains("no class sub-folders", Assert.Throws<InvalidDataException>(() => new ImageFolder(dir.File("empty"))).Message);
        File.WriteAllBytes(Path.Combine(dir.Path, "dog", "c.png"), [1, 2, 3]);
        var ds = new ImageFolder(dir.Path);
        var e = Assert.Throws<InvalidDataException>(() => ds[3]);
        Assert.Contains(Path.Combine(dir.Path, "dog", "c.png"), e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ds[4]);
    }
}

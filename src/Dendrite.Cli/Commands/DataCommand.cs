using System.CommandLine;
using System.Globalization;
using Dendrite.Data.Datasets;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary><c>dendrite data download mnist|fashion-mnist [--dir]</c> and <c>dendrite data info DIR|FILE</c>.</summary>
internal static class DataCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("dataset") { Description = "mnist or fashion-mnist" };
        name.AcceptOnlyFromAmong("mnist", "fashion-mnist");
        var dir = new Option<string>("--dir") { Description = "Directory to fill (default $DENDRITE_DATA_DIR/NAME or ~/.cache/dendrite/NAME)" };
        var download = new Command("download", "Download a dataset (files checked against their SHA-256)") { name, dir };
        download.SetAction(parse =>
        {
            var dataset = parse.GetValue(name) == "mnist" ? DatasetDownloader.Mnist : DatasetDownloader.FashionMnist;
            var downloader = new DatasetDownloader();
            string result;
            if (context.Terminal)
            {
                result = "";
                context.Console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                    .Start(ctx =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>();
                        var progress = new SynchronousProgress(p =>
                        {
                            if (!tasks.TryGetValue(p.FileName, out var task))
                                tasks[p.FileName] = task = ctx.AddTask(Markup.Escape(p.FileName), maxValue: Math.Max(1, p.TotalBytes));
                            task.Value = p.BytesReceived;
                        });
                        result = downloader.DownloadAsync(dataset, parse.GetValue(dir), progress, cancellationToken: context.Cancellation).GetAwaiter().GetResult();
                    });
            }
            else
            {
                var progress = new SynchronousProgress(p =>
                {
                    if (p.BytesReceived == p.TotalBytes) context.Out.WriteLine($"{p.FileName}: {p.TotalBytes:N0} bytes ({p.FileIndex + 1}/{p.FileCount})");
                });
                result = downloader.DownloadAsync(dataset, parse.GetValue(dir), progress, cancellationToken: context.Cancellation).GetAwaiter().GetResult();
            }
            context.Out.WriteLine($"{dataset.Name} is in {result}");
            return Program.Success;
        });

        var path = new Argument<string>("path") { Description = "A directory of MNIST IDX files, a CSV file, a PNG image or a .safetensors file" };
        var target = new Option<string>("--target") { Description = "CSV column holding the class (default: the last column)" };
        var info = new Command("info", "Describe a dataset or file: counts, shapes, classes") { path, target };
        info.SetAction(parse => Info(context, parse.GetValue(path)!, parse.GetValue(target)));

        return new Command("data", "Download and inspect datasets") { download, info };
    }

    private static int Info(CliContext context, string path, string? target)
    {
        var o = context.Out;
        if (Directory.Exists(path))
        {
            foreach (bool train in new[] { true, false })
            {
                var set = Mnist.Load(path, train);
                var counts = new int[10];
                foreach (var label in set.Targets.ToArray()) counts[(int)label]++;
                o.WriteLine($"{(train ? "train" : "test")}: {set.Count:N0} images of shape [{string.Join(", ", set.Inputs.Shape.ToArray()[1..])}], " +
                            $"values in [{set.Inputs.Min().Item().ToString(CultureInfo.InvariantCulture)}, {set.Inputs.Max().Item().ToString(CultureInfo.InvariantCulture)}]");
                o.WriteLine("  per class: " + string.Join("  ", counts.Select((c, i) => $"{i}:{c}")));
            }
            return Program.Success;
        }
        if (!File.Exists(path)) throw new CliException($"{path}: no such file or directory");
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            // The header through the CSV reader: quoted names, and a first line as long as the file held to the budget.
            target ??= CsvTable.ReadHeader(path)[^1].Trim();
            var csv = CsvDataset.Load(path, target);
            o.WriteLine($"{csv.Count:N0} rows, {csv.FeatureNames.Count} features ({string.Join(", ", csv.FeatureNames)}), target '{csv.TargetName}'");
            if (csv.Classes is { } classes)
            {
                var counts = new int[classes.Count];
                foreach (var label in csv.Targets.ToArray()) counts[(int)label]++;
                o.WriteLine($"{classes.Count} classes: " + string.Join("  ", classes.Select((c, i) => $"{c}:{counts[i]}")));
            }
            return Program.Success;
        }
        if (path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            var image = Dendrite.Data.Formats.Png.Read(path);
            o.WriteLine($"PNG {image.Width}×{image.Height}, {image.Channels} channel(s), max value {image.MaxValue}");
            return Program.Success;
        }
        var (tensors, metadata) = Dendrite.Serialization.SafeTensors.Load(path);
        o.WriteLine($"safetensors: {tensors.Count} tensors, {tensors.Values.Sum(t => (long)t.Numel):N0} values");
        foreach (var (key, value) in metadata.Where(m => m.Key != Dendrite.Serialization.ModelFile.SpecKey && m.Key != "dendrite.checkpoint"))
            o.WriteLine($"  {key}: {value}");
        foreach (var (key, value) in tensors) o.WriteLine($"  {key} {value.Shape}");
        return Program.Success;
    }

    /// <summary>Reports on the caller's thread, unlike <see cref="Progress{T}"/>, which posts to the thread pool.</summary>
    private sealed class SynchronousProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}

using System.Collections;
using Dendrite.Tensors;

namespace Dendrite.Data;

/// <summary>
/// Iterates over a dataset in mini-batches, like <c>torch.utils.data.DataLoader</c>. Each enumeration is
/// one epoch: with <c>shuffle</c> the sample order is a fresh permutation drawn from the generator
/// (Fisher–Yates), so successive epochs differ, and a loader built with a generator seeded the same way
/// replays the same sequence of epochs. Samples are stacked along a new first dimension: inputs of shape
/// [...] become [B, ...]. The last batch is smaller when the batch size does not divide the dataset,
/// unless <c>dropLast</c> drops it.
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    /// <summary>
    /// A loader over <paramref name="dataset"/>. Defaults: no shuffling, keep the last partial batch, and
    /// <see cref="Tensors.Generator.Default"/> when shuffling without a generator.
    /// </summary>
    public DataLoader(IDataset dataset, int batchSize, bool shuffle = false, bool dropLast = false, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"DataLoader: batch size must be positive, got {batchSize}");
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Generator = generator ?? Generator.Default;
    }

    /// <summary>The dataset the batches come from.</summary>
    public IDataset Dataset { get; }

    /// <summary>Samples per batch (the last may have fewer, see <see cref="DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the samples in a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a final batch smaller than <see cref="BatchSize"/> is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>The random source of the shuffles.</summary>
    public Generator Generator { get; }

    /// <summary>The number of batches one epoch yields.</summary>
    public int Count => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>Enumerates one epoch of batches (drawing a new order first when shuffling).</summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        int n = Dataset.Count;
        // The order array is handed back at the end of an epoch and reused by the next one (an epoch would
        // otherwise allocate 4 bytes per sample); an enumeration running beside it makes its own.
        var order = Interlocked.Exchange(ref spareOrder, null) is { } spare && spare.Length == n ? spare : new int[n];
        try
        {
            foreach (var batch in Batches(order, n)) yield return batch;
        }
        finally
        {
            spareOrder = order;
        }
    }

    private int[]? spareOrder;

    private IEnumerable<Batch> Batches(int[] order, int n)
    {
        for (int i = 0; i < n; i++) order[i] = i;
        if (Shuffle)
            for (int i = n - 1; i > 0; i--)
            {
                int j = (int)Generator.NextInt64(0, i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }

        // A TensorDataset, possibly behind Subsets, is batched by copying rows of its two tensors.
        var (tensors, map) = Resolve(Dataset);
        if (tensors is not null && map is not null)
            for (int i = 0; i < n; i++) order[i] = map[order[i]];
        // Strided sources are made contiguous once per epoch (not per batch) so rows can be block-copied.
        // The copies live for the whole epoch, so they must not belong to the scope of the step that is
        // open when the first batch is asked for (the Trainer's).
        var allInputs = tensors is null ? null : TensorScope.Untracked(() => tensors.Inputs.Detach().Contiguous());
        var allTargets = tensors is null ? null : TensorScope.Untracked(() => tensors.Targets.Detach().Contiguous());

        int batches = Count;
        for (int b = 0; b < batches; b++)
        {
            int start = b * BatchSize;
            var rows = order.AsSpan(start, Math.Min(BatchSize, n - start));
            if (allInputs is not null && allTargets is not null)
            {
                yield return new Batch(TensorDataset.TakeRows(allInputs, rows), TensorDataset.TakeRows(allTargets, rows));
            }
            else
            {
                var inputs = new Tensor[rows.Length];
                var targets = new Tensor[rows.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    (inputs[i], targets[i]) = Dataset[rows[i]];
                    if (i > 0 && (inputs[i].Shape != inputs[0].Shape || targets[i].Shape != targets[0].Shape))
                        throw new InvalidOperationException(
                            $"DataLoader: cannot stack samples of different shapes: sample {rows[0]} has input {inputs[0].Shape} and target {targets[0].Shape}, sample {rows[i]} has input {inputs[i].Shape} and target {targets[i].Shape}");
                }
                yield return new Batch(Tensor.Stack(inputs).Detach(), Tensor.Stack(targets).Detach());
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// The TensorDataset under a chain of Subsets and the map from this dataset's positions to its rows
    /// (null map when the dataset is the TensorDataset itself).
    /// </summary>
    private static (TensorDataset? Tensors, int[]? Map) Resolve(IDataset dataset)
    {
        int[]? map = null;
        while (dataset is Subset subset)
        {
            var inner = subset.Indices;
            map = map is null ? [.. inner] : Array.ConvertAll(map, i => inner[i]);
            dataset = subset.Dataset;
        }
        return dataset is TensorDataset tensors ? (tensors, map) : (null, null);
    }
}

using Dendrite.Tensors;

namespace Dendrite.Data;

/// <summary>Helpers that split datasets, like <c>torch.utils.data.random_split</c>.</summary>
public static class Dataset
{
    /// <summary>
    /// Splits <paramref name="dataset"/> into disjoint random <see cref="Subset"/>s of the given sizes,
    /// which must be non-negative and add up to the dataset's size. One random permutation is drawn from
    /// <paramref name="generator"/> (default <see cref="Generator.Default"/>) and cut in order.
    /// </summary>
    public static IReadOnlyList<Subset> RandomSplit(IDataset dataset, IReadOnlyList<int> lengths, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Count == 0) throw new ArgumentException("RandomSplit: needs at least one length");
        if (lengths.Any(l => l < 0))
            throw new ArgumentException($"RandomSplit: lengths must be non-negative, got [{string.Join(", ", lengths)}]");
        long total = lengths.Sum(l => (long)l);
        if (total != dataset.Count)
            throw new ArgumentException(
                $"RandomSplit: lengths [{string.Join(", ", lengths)}] add up to {total}, but the dataset has {dataset.Count} samples");

        generator ??= Generator.Default;
        int n = dataset.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)generator.NextInt64(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var subsets = new List<Subset>(lengths.Count);
        int start = 0;
        foreach (int length in lengths)
        {
            subsets.Add(new Subset(dataset, order[start..(start + length)]));
            start += length;
        }
        return subsets;
    }

    /// <summary>
    /// Splits by fractions that add up to 1 (within 1e-6). Each part gets floor(fraction · N) samples and
    /// the remaining samples go one each to the parts in order, as in PyTorch.
    /// </summary>
    public static IReadOnlyList<Subset> RandomSplit(IDataset dataset, IReadOnlyList<double> fractions, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(fractions);
        if (fractions.Count == 0) throw new ArgumentException("RandomSplit: needs at least one fraction");
        if (fractions.Any(f => !(f >= 0 && f <= 1)))
            throw new ArgumentException($"RandomSplit: fractions must lie in [0, 1], got [{string.Join(", ", fractions)}]");
        if (Math.Abs(fractions.Sum() - 1) > 1e-6)
            throw new ArgumentException($"RandomSplit: fractions [{string.Join(", ", fractions)}] must add up to 1");
        int n = dataset.Count;
        var lengths = fractions.Select(f => (int)Math.Floor(f * n)).ToArray();
        int remainder = n - lengths.Sum();
        for (int i = 0; i < remainder; i++) lengths[i % lengths.Length]++;
        return RandomSplit(dataset, lengths, generator);
    }

    /// <summary>
    /// A random train/validation split: round(validationFraction · N) samples for validation, the rest for
    /// training. <paramref name="validationFraction"/> must lie in (0, 1).
    /// </summary>
    public static (Subset Train, Subset Validation) TrainValidationSplit(IDataset dataset, double validationFraction, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction),
                $"TrainValidationSplit: the validation fraction must lie in (0, 1), got {validationFraction}");
        int validation = (int)Math.Round(validationFraction * dataset.Count, MidpointRounding.AwayFromZero);
        var parts = RandomSplit(dataset, [dataset.Count - validation, validation], generator);
        return (parts[0], parts[1]);
    }

    /// <summary>
    /// A stratified split of sample indices by their class <paramref name="labels"/>, like scikit-learn's
    /// <c>train_test_split(stratify=...)</c>: each class gives round(fraction · its count) samples to the
    /// held-out part (at least one when it has two or more), drawn at random from
    /// <paramref name="generator"/>, so every class keeps its share on both sides. Both index lists are sorted.
    /// </summary>
    public static (int[] Kept, int[] HeldOut) StratifiedSplit(IReadOnlyList<int> labels, double fraction, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(generator);
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), $"StratifiedSplit: the held-out fraction must lie in (0, 1), got {fraction}");
        var kept = new List<int>();
        var heldOut = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] members = [.. group];
            for (int i = members.Length - 1; i > 0; i--)
            {
                int j = (int)generator.NextInt64(0, i + 1);
                (members[i], members[j]) = (members[j], members[i]);
            }
            int take = (int)Math.Round(fraction * members.Length, MidpointRounding.AwayFromZero);
            if (take == 0 && members.Length >= 2) take = 1;
            if (take == members.Length) take--;
            heldOut.AddRange(members[..take]);
            kept.AddRange(members[take..]);
        }
        return ([.. kept.Order()], [.. heldOut.Order()]);
    }
}

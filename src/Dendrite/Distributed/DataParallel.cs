using Dendrite.Data;
using Dendrite.NN;
using Dendrite.Tensors;
using Dendrite.Training.Metrics;

namespace Dendrite.Distributed;

/// <summary>
/// Data-parallel training over a <see cref="ProcessGroup"/>, as PyTorch's <c>DistributedDataParallel</c> does
/// it: set as <see cref="Training.Trainer.DataParallel"/> on every member's trainer (same model spec, same
/// loader with the same seed), it makes them train one model together. At the start of <c>Fit</c>, rank 0's
/// parameters and buffers are broadcast. Every member draws the same global batch from the same seeded
/// shuffle and keeps its contiguous share of it (rank r of N takes rows [rB/N, (r+1)B/N), as
/// <c>DistributedSampler</c> shards an epoch). After backward, the gradients are summed in buckets by
/// all-reduce, each member's weighted by its share of the batch, so every member holds the gradient of the
/// mean loss over the whole global batch — what one process training on that batch computes — and takes the
/// same optimizer step.
/// </summary>
/// <remarks>
/// Batch norm normalises with each member's own batch statistics (DDP's default; SyncBatchNorm is not
/// offered), so only models without it match one process exactly. Running statistics are taken from rank 0
/// at the end of every epoch, before validation, so every member evaluates the same model. The loss logged
/// is the global batch's; training metrics are summed over the members at the end of each epoch. The stop
/// request of a cancellation token travels with the gradients, so all members stop after the same step.
/// </remarks>
public sealed class DataParallel
{
    private Parameter[] parameters = [];
    private bool[] hasGradient = [];
    private Bucket[] buckets = [];

    /// <summary>Training over <paramref name="group"/>, summing gradients in buckets of about <paramref name="bucketFloats"/> floats.</summary>
    public DataParallel(ProcessGroup group, int bucketFloats = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (bucketFloats < 1) throw new ArgumentOutOfRangeException(nameof(bucketFloats), $"DataParallel: a bucket holds at least one float, got {bucketFloats}");
        Group = group;
        BucketFloats = bucketFloats;
    }

    /// <summary>The processes training together.</summary>
    public ProcessGroup Group { get; }

    /// <summary>
    /// The bucket size in floats (default 2^20, 4 MiB, DDP's is 25 MiB): buckets are filled with the last
    /// layers' gradients first, the order in which backward produces them.
    /// </summary>
    public int BucketFloats { get; }

    /// <summary>
    /// The time spent in the gradient all-reduces since this object was made: the exchange itself plus any wait
    /// for a slower member (what overlapping it with backward could hide at best).
    /// </summary>
    public TimeSpan AllReduceTime => TimeSpan.FromSeconds((double)reduceTicks / System.Diagnostics.Stopwatch.Frequency);

    private long reduceTicks;

    /// <summary>Rows [start, start + count) of a global batch of <paramref name="size"/> rows are this member's.</summary>
    public (int Start, int Count) Shard(int size)
    {
        int rank = Group.Rank, n = Group.Size;
        int start = (int)((long)size * rank / n), end = (int)((long)size * (rank + 1) / n);
        return (start, end - start);
    }

    /// <summary>This member's rows of <paramref name="batch"/> (views, no copy).</summary>
    internal Batch Shard(Batch batch)
    {
        var (start, count) = Shard(batch.Size);
        return count == batch.Size ? batch : new Batch(batch.Inputs.Narrow(0, start, count), batch.Targets.Narrow(0, start, count));
    }

    /// <summary>Makes every member's parameters and buffers rank 0's, and lays out the gradient buckets.</summary>
    internal void Begin(Module model)
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var all = model.Parameters().Where(p => seen.Add(p)).ToList();
        foreach (var p in all) Broadcast(p);
        // Frozen parameters get no gradient, here as in one process.
        parameters = [.. all.Where(p => p.RequiresGrad)];
        hasGradient = new bool[parameters.Length];
        BroadcastBuffers(model);

        // Backward produces the last layers' gradients first, so they fill the first bucket.
        var layout = new List<Bucket>();
        var current = new List<int>();
        int floats = 0;
        for (int i = parameters.Length - 1; i >= 0; i--)
        {
            if (floats > 0 && floats + parameters[i].Numel > BucketFloats)
            {
                layout.Add(new Bucket(parameters, [.. current], floats, layout.Count == 0 ? 2 + parameters.Length : 0));
                current.Clear();
                floats = 0;
            }
            current.Add(i);
            floats += parameters[i].Numel;
        }
        layout.Add(new Bucket(parameters, [.. current], floats, layout.Count == 0 ? 2 + parameters.Length : 0));
        buckets = [.. layout];
    }

    /// <summary>
    /// Replaces every gradient with the global batch's: the sum over members of each one's gradient times its
    /// share <paramref name="count"/> / <paramref name="size"/> of the batch (times 1 for a loss that
    /// <paramref name="sums"/> over rows instead of averaging). Returns the global batch's loss (from each
    /// member's <paramref name="loss"/> over its rows) and sets <paramref name="stop"/> when any member asked to stop.
    /// </summary>
    internal float AverageGradients(float loss, int count, int size, bool sums, ref bool stop)
    {
        float weight = count == 0 ? 0f : sums ? 1f : (float)count / size;
        for (int b = 0; b < buckets.Length; b++)
        {
            var bucket = buckets[b];
            var flat = bucket.Flat;
            int at = 0;
            foreach (var p in bucket.Parameters)
            {
                var target = flat.AsSpan(at, p.Numel);
                // A member with no rows (a last batch smaller than the group) or a parameter without a gradient adds zeros.
                if (count == 0 || p.Grad is not { } grad) target.Clear();
                else
                {
                    (grad.IsContiguous ? grad : p.Grad = grad.Contiguous()).Span[..p.Numel].CopyTo(target);
                    if (weight != 1f) foreach (ref float v in target) v *= weight;
                }
                at += p.Numel;
            }
            // The first bucket also carries the loss, the stop request and which parameters have a gradient.
            if (b == 0)
            {
                flat[at] = count == 0 ? 0f : loss * weight;
                flat[at + 1] = stop ? 1f : 0f;
                for (int i = 0; i < parameters.Length; i++) flat[at + 2 + i] = count > 0 && parameters[i].Grad is not null ? 1f : 0f;
            }
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            Group.AllReduceSum(flat);
            reduceTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
            if (b == 0)
            {
                loss = flat[at];
                stop = flat[at + 1] > 0f;
                for (int i = 0; i < parameters.Length; i++) hasGradient[i] = flat[at + 2 + i] > 0f;
            }
            at = 0;
            for (int j = 0; j < bucket.Parameters.Length; j++)
            {
                var p = bucket.Parameters[j];
                // A parameter the loss reaches on no member keeps no gradient, as in one process (the optimizer
                // skips it); one that any member's loss reaches gets the sum on every member, so all step alike.
                if (!hasGradient[bucket.Indices[j]])
                {
                    if (p.Grad is not null) p.Grad = null;
                }
                else
                {
                    var grad = p.Grad is { } g && g.IsContiguous ? g : (p.Grad = Tensor.Zeros(p.Shape));
                    flat.AsSpan(at, p.Numel).CopyTo(grad.Span[..p.Numel]);
                }
                at += p.Numel;
            }
        }
        return loss;
    }

    /// <summary>True on every member when <paramref name="mine"/> is true on any.</summary>
    internal bool Any(bool mine)
    {
        Span<float> flag = [mine ? 1f : 0f];
        Group.AllReduceSum(flag);
        return flag[0] > 0f;
    }

    /// <summary>
    /// Ends an epoch's training part alike on every member: running statistics become rank 0's, and each metric
    /// holds the counts of every member's rows.
    /// </summary>
    internal void EndEpoch(Module model, IReadOnlyList<Metric> metrics)
    {
        BroadcastBuffers(model);
        foreach (var m in metrics)
        {
            double[] state;
            try
            {
                state = m.GetState();
            }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"DataParallel: the metric '{m.Name}' cannot be summed over the ranks: {e.Message}", e);
            }
            Group.AllReduceSum(state);
            m.SetState(state);
        }
    }

    /// <summary>
    /// On a run resumed inside an epoch, the metrics' saved counts are already every member's: rank 0 keeps
    /// them and the others start from zero, so the sum at the end of the epoch counts each row once.
    /// </summary>
    internal void ResumeMetrics(IReadOnlyList<Metric> metrics)
    {
        if (Group.Rank != 0)
            foreach (var m in metrics) m.Reset();
    }

    private void BroadcastBuffers(Module model)
    {
        foreach (var (_, buffer) in model.NamedBuffers()) Broadcast(buffer);
    }

    private void Broadcast(Tensor t)
    {
        // Parameters and buffers are made contiguous and updated in place, so a view here is a bug elsewhere.
        if (!t.IsContiguous) throw new InvalidOperationException($"DataParallel: cannot broadcast the non-contiguous tensor {t.Name ?? ""} of shape {t.Shape}");
        Group.Broadcast(t.Span[..t.Numel]);
    }

    private sealed class Bucket(Parameter[] all, int[] indices, int floats, int extra)
    {
        public int[] Indices { get; } = indices;

        public Parameter[] Parameters { get; } = [.. indices.Select(i => all[i])];

        // The gradients, then (first bucket only) the loss, the stop request and a has-gradient flag per parameter.
        public float[] Flat { get; } = new float[floats + extra];
    }
}

using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Dendrite.Runtime;

namespace Dendrite.Kernels;

/// <summary>One task of a parallel job; an unmanaged struct so that dispatching it allocates nothing.</summary>
internal interface IWorkItem
{
    void Execute(int index);
}

/// <summary>Work on a range of elements, for <see cref="WorkerPool.ForChunks{T}"/>; unmanaged like <see cref="IWorkItem"/>.</summary>
internal interface IRangeWork
{
    void Execute(int start, int count);
}

/// <summary>
/// The one persistent pool of worker threads behind every parallel kernel. <see cref="Run{T}"/> executes
/// tasks 0..tasks-1 with the calling thread taking part and returns when all are done. Workers spin briefly
/// after a job (kernels tend to come in bursts) and then park on an event. Which thread runs which task is
/// not fixed, so a kernel must make each task's arithmetic independent of that.
/// </summary>
internal static unsafe class WorkerPool
{
    // How long an idle worker spins before it parks. A training step alternates parallel GEMMs with short
    // single-threaded stretches (loss, element-wise work, optimizer bookkeeping) of tens to hundreds of
    // microseconds; a worker parked in between needs 10-50 µs to wake (a futex round trip, more under a
    // hypervisor), which on a 2-core machine cost more than the second thread gained (2 threads trained the
    // MLP slower than 1). Half a millisecond covers those gaps; OpenMP runtimes spin far longer by default.
    private static readonly long SpinTicks = Stopwatch.Frequency / 2_000;

    private static delegate*<void*, int, void> body;
    private static void* context;
    private static int taskCount;
    private static int activeWorkers;
    private static int completed;
    private static int generation;
    // Generation in the high half, next task index in the low half: one word, so a worker that wakes late
    // can never claim a task of a later job.
    private static long claim;
    private static ExceptionDispatchInfo? failure;
    private static int busy;
    private static Worker[] workers = [];

    [ThreadStatic] private static bool onWorker;

    /// <summary>Runs <paramref name="work"/>.Execute(i) for i in [0, tasks) and waits for all of them.</summary>
    public static void Run<T>(int tasks, ref T work) where T : unmanaged, IWorkItem
    {
        fixed (T* p = &work) Run(tasks, &Invoke<T>, p);
    }

    private static void Invoke<T>(void* ctx, int index) where T : unmanaged, IWorkItem => ((T*)ctx)->Execute(index);

    /// <summary>
    /// Runs <paramref name="work"/> over [0, <paramref name="length"/>) in chunks of <paramref name="chunk"/>
    /// elements (the last one shorter), in parallel when there is more than one chunk. The chunks depend only
    /// on the length, never on the thread count, so element-wise work splits without changing any result.
    /// </summary>
    public static void ForChunks<T>(int length, int chunk, ref T work) where T : unmanaged, IRangeWork
    {
        int chunks = (int)(((long)length + chunk - 1) / chunk);
        if (chunks <= 1 || Threads.Count <= 1)
        {
            work.Execute(0, length);
            return;
        }
        fixed (T* p = &work)
        {
            var job = new ChunkJob<T> { Work = p, Length = length, Chunk = chunk };
            Run(chunks, ref job);
        }
    }

    private struct ChunkJob<T> : IWorkItem where T : unmanaged, IRangeWork
    {
        public T* Work;
        public int Length, Chunk;

        public readonly void Execute(int index)
        {
            int start = index * Chunk;
            Work->Execute(start, Math.Min(Chunk, Length - start));
        }
    }

    /// <summary>Runs fn(ctx, i) for i in [0, tasks) and waits for all of them.</summary>
    public static void Run(int tasks, delegate*<void*, int, void> fn, void* ctx)
    {
        if (tasks <= 0) return;
        int threads = Math.Min(tasks, Threads.Count);
        // Nested or concurrent jobs run inline: the pool serves one job at a time, and a task that waits
        // for the pool from a worker could deadlock it.
        if (threads <= 1 || onWorker || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            for (int i = 0; i < tasks; i++) fn(ctx, i);
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            body = fn;
            context = ctx;
            taskCount = tasks;
            activeWorkers = threads - 1;
            completed = 0;
            failure = null;
            int gen = generation + 1;
            Volatile.Write(ref claim, (long)gen << 32);
            Volatile.Write(ref generation, gen);
            for (int w = 0; w < threads - 1; w++) workers[w].Wake();

            Participate(gen);
            // The remaining tasks are running on other threads right now: spin rather than yield (a yield is a
            // system call); only if they take long, as when more threads than cores are busy, start yielding.
            long waitStart = Stopwatch.GetTimestamp();
            var spin = new SpinWait();
            bool spinning = true;
            for (int polls = 1; Volatile.Read(ref completed) != tasks; polls++)
            {
                if (!spinning)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                Thread.SpinWait(1);
                // Reading the clock is a call of its own; look at it every 64 polls.
                if ((polls & 63) == 0 && Stopwatch.GetTimestamp() - waitStart >= SpinTicks) spinning = false;
            }
            failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private static void Participate(int gen)
    {
        while (true)
        {
            long current = Volatile.Read(ref claim);
            if ((int)(current >> 32) != gen) return;
            int index = (int)current;
            if (index >= taskCount) return;
            if (Interlocked.CompareExchange(ref claim, current + 1, current) != current) continue;
            // The job cannot finish, nor body/context change, before this task counts as completed.
            try
            {
                body(context, index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
            }
            Interlocked.Increment(ref completed);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (workers.Length >= count) return;
        var grown = new Worker[count];
        Array.Copy(workers, grown, workers.Length);
        for (int w = workers.Length; w < count; w++) grown[w] = new Worker(w, generation);
        workers = grown;
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim signal = new(false, 0);
        private readonly int index;
        private int seen;

        public Worker(int index, int generation)
        {
            this.index = index;
            seen = generation;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Dendrite worker {index + 1}" };
            thread.Start();
        }

        public void Wake() => signal.Set();

        private void Loop()
        {
            onWorker = true;
            while (true)
            {
                int gen = WaitForJob();
                seen = gen;
                // A job may want fewer threads than there are workers.
                if (index < Volatile.Read(ref activeWorkers)) Participate(gen);
            }
        }

        private int WaitForJob()
        {
            long start = Stopwatch.GetTimestamp();
            do
            {
                int g = Volatile.Read(ref generation);
                if (g != seen) return g;
                Thread.SpinWait(20);
            } while (Stopwatch.GetTimestamp() - start < SpinTicks);
            while (true)
            {
                // Reset before the check: a Wake after the check then leaves the event set.
                signal.Reset();
                int g = Volatile.Read(ref generation);
                if (g != seen) return g;
                signal.Wait();
            }
        }
    }
}

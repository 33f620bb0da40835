using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Dendrite.Runtime;

namespace Dendrite.Kernels;

/// <summary>One task of a parallel job; an unmanaged struct so that dispatching it allocates nothing.</summary>
internal interface IWorkItem
{
    void Execute(int index);
}

/// <summary>
/// The one persistent pool of worker threads behind every parallel kernel. <see cref="Run{T}"/> executes
/// tasks 0..tasks-1 with the calling thread taking part and returns when all are done. Workers spin briefly
/// after a job (kernels tend to come in bursts) and then park on an event. Which thread runs which task is
/// not fixed, so a kernel must make each task's arithmetic independent of that.
/// </summary>
internal static unsafe class WorkerPool
{
    // About the time a parked thread takes to wake: spinning longer than this costs more CPU than it saves.
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000;

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
            var spin = new SpinWait();
            while (Volatile.Read(ref completed) != tasks) spin.SpinOnce(sleep1Threshold: -1);
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

using Dendrite.Kernels;
using Dendrite.Runtime;

namespace Dendrite.Tests.Kernels;

[Collection(KernelSettingsCollection.Name)]
public class WorkerPoolTests
{
    // Work items must be unmanaged, so they reach their results through static fields; the collection
    // runs these tests one at a time.
    private static int[] hits = [];
    private static int[] threadIds = [];
    private static int sleepMs;

    private struct Count : IWorkItem
    {
        public readonly void Execute(int index)
        {
            Interlocked.Increment(ref hits[index]);
            threadIds[index] = Environment.CurrentManagedThreadId;
            if (sleepMs > 0) Thread.Sleep(sleepMs);
        }
    }

    private struct Nested : IWorkItem
    {
        public readonly void Execute(int index)
        {
            var inner = new Count();
            WorkerPool.Run(3, ref inner);
        }
    }

    private struct Throwing : IWorkItem
    {
        public readonly void Execute(int index)
        {
            if (index == 2) throw new InvalidOperationException("task 2");
        }
    }

    private static void Reset(int tasks, int sleep = 0)
    {
        hits = new int[tasks];
        threadIds = new int[tasks];
        sleepMs = sleep;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(2, 7)]
    [InlineData(3, 100)]
    [InlineData(4, 3)]
    public void RunsEveryTaskExactlyOnce(int threads, int tasks)
    {
        int saved = Threads.Count;
        try
        {
            Threads.Count = threads;
            for (int round = 0; round < 50; round++)
            {
                Reset(tasks);
                var work = new Count();
                WorkerPool.Run(tasks, ref work);
                Assert.All(hits, h => Assert.Equal(1, h));
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void UsesMoreThanOneThreadAndTheCaller()
    {
        int saved = Threads.Count;
        try
        {
            Threads.Count = 2;
            Reset(4, sleep: 50);
            var work = new Count();
            WorkerPool.Run(4, ref work);
            Assert.Contains(Environment.CurrentManagedThreadId, threadIds);
            Assert.True(threadIds.Distinct().Count() >= 2);
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void OneThreadRunsOnTheCaller()
    {
        int saved = Threads.Count;
        try
        {
            Threads.Count = 1;
            Reset(5);
            var work = new Count();
            WorkerPool.Run(5, ref work);
            Assert.All(threadIds, id => Assert.Equal(Environment.CurrentManagedThreadId, id));
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void NestedRunCompletesInline()
    {
        int saved = Threads.Count;
        try
        {
            Threads.Count = 2;
            Reset(3);
            var work = new Nested();
            WorkerPool.Run(4, ref work);
            Assert.All(hits, h => Assert.Equal(4, h));
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void ConcurrentCallersAllComplete()
    {
        int saved = Threads.Count;
        try
        {
            Threads.Count = 2;
            Reset(8);
            // Several user threads dispatch at once: one gets the pool, the others run inline.
            var callers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                for (int r = 0; r < 100; r++)
                {
                    var work = new Count();
                    WorkerPool.Run(8, ref work);
                }
            })).ToList();
            callers.ForEach(t => t.Start());
            callers.ForEach(t => t.Join());
            Assert.All(hits, h => Assert.Equal(400, h));
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void TaskExceptionReachesTheCaller()
    {
        int saved = Threads.Count;
        try
        {
            Threads.Count = 2;
            var work = new Throwing();
            var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(4, ref work));
            Assert.Equal("task 2", e.Message);
            // The pool still works afterwards.
            Reset(6);
            var count = new Count();
            WorkerPool.Run(6, ref count);
            Assert.All(hits, h => Assert.Equal(1, h));
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void ThreadCountMustBePositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Threads.Count = 0);
        Assert.True(Threads.Count >= 1);
    }
}

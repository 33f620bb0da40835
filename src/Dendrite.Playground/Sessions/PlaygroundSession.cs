using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Dendrite.Playground.Networks;
using Dendrite.Playground.Web;

namespace Dendrite.Playground.Sessions;

/// <summary>
/// One open page: its network, its data and one background worker thread that trains it. The page's socket
/// (<see cref="SessionSocket"/>) carries frames out and acknowledgements in; its HTTP requests post commands.
/// The worker alone touches the network, so commands (a new configuration, play, an export) are queued and
/// run between two training steps. It trains in slices of ~25 ms and sends a frame only once the page has
/// acknowledged the previous one, so a slow page gets fewer frames rather than a growing queue; it stops when
/// the page's socket closes (<see cref="DisposeAsync"/>).
/// </summary>
internal sealed class PlaygroundSession : IAsyncDisposable
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(25);

    private readonly BlockingCollection<Action> commands = new();
    private readonly CancellationTokenSource stop = new();
    private readonly CancellationTokenSource unread = new();
    private readonly Thread worker;
    private readonly PlaygroundLimits limits;
    private readonly string temporaryFolder;
    private readonly object configLock = new();

    // Worker-thread state.
    private NetworkTrainer? trainer;
    private Frames.View? view;
    private bool playing;
    private int epochsWanted;
    private bool dirty;
    private bool pageReady = true;
    private int frameEpoch;

    // Request-thread state (under configLock).
    private NetworkConfig? config;
    private PlaygroundData.Upload? upload;

    public PlaygroundSession(string id, PlaygroundLimits limits, string temporaryFolder)
    {
        Id = id;
        this.limits = limits;
        this.temporaryFolder = temporaryFolder;
        worker = new Thread(Run) { IsBackground = true, Name = $"playground session {id[..8]}" };
        worker.Start();
    }

    public string Id { get; }

    /// <summary>
    /// Messages for the page, serialised JSON; the socket drains it. Bounded: frames wait for the page's
    /// acknowledgement, but every new network queues its data, so a page that reconfigures without reading its
    /// socket would otherwise grow the queue without end. A full queue ends the session (<see cref="Unread"/>).
    /// </summary>
    public Channel<byte[]> Outgoing { get; } = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(MaxQueuedMessages) { SingleReader = true });

    /// <summary>Messages a page may leave unread before its session is ended.</summary>
    public const int MaxQueuedMessages = 64;

    /// <summary>
    /// Cancelled when the session ends because the page left <see cref="MaxQueuedMessages"/> messages unread;
    /// the socket then closes. (An ordinary end, the page closing or the server stopping, leaves it alone.)
    /// </summary>
    public CancellationToken Unread => unread.Token;

    /// <summary>Whether the session ended because the page left <see cref="MaxQueuedMessages"/> messages unread.</summary>
    public bool Overrun => unread.IsCancellationRequested;

    /// <summary>What a configuration request answers: whether it built a new network, and its size.</summary>
    public sealed record ConfigureResult(bool Rebuilt, long Parameters, int TrainRows, int TestRows);

    /// <summary>
    /// Applies <paramref name="next"/>: validated and, when it changes the data or the network, built here on
    /// the request's thread (so errors are the request's 400); then handed to the worker.
    /// </summary>
    public ConfigureResult Configure(NetworkConfig next)
    {
        next.Validate(limits);
        lock (configLock)
        {
            if (config is not null && !next.RebuildsFrom(config))
            {
                config = next;
                Post(() => trainer?.Update(next));
                var current = trainer;
                return new ConfigureResult(false, current?.Network.TrainableParameters.Sum(p => (long)p.Numel) ?? 0, current?.Data.TrainCount ?? 0, current?.Data.TestCount ?? 0);
            }
            var data = PlaygroundData.Create(next, upload, limits);
            if (data.TrainCount == 0) throw HttpError.BadRequest("the training set is empty");
            var network = PlaygroundNetwork.Build(next, data);
            var built = new NetworkTrainer(network, data, next);
            config = next;
            Post(() => Install(built));
            return new ConfigureResult(true, network.TrainableParameters.Sum(p => (long)p.Numel), data.TrainCount, data.TestCount);
        }
    }

    /// <summary>Keeps an uploaded CSV for later configurations (dataset = csv); returns its summary.</summary>
    public object Upload(PlaygroundData.Upload csvUpload, bool regression)
    {
        var csv = PlaygroundData.ParseCsv(csvUpload, regression, limits);
        lock (configLock)
        {
            upload = csvUpload;
            config = null; // the next configuration rebuilds, even if it names the same dataset
        }
        return new { rows = csv.Count, features = csv.FeatureNames, target = csv.TargetName, classes = csv.Classes };
    }

    public void Play() => Post(() => { playing = true; });

    public void Pause() => Post(() => { playing = false; epochsWanted = 0; dirty = true; });

    /// <summary>Trains one more epoch (TensorFlow Playground's step), then pauses.</summary>
    public void Step() => Post(() => { playing = false; epochsWanted++; });

    /// <summary>A fresh network of the same configuration (same seed, so the same initial weights).</summary>
    public void Reset()
    {
        lock (configLock)
        {
            if (config is null) throw new HttpError(409, "nothing to reset: no network configured yet");
            var data = PlaygroundData.Create(config, upload, limits);
            var built = new NetworkTrainer(PlaygroundNetwork.Build(config, data), data, config);
            Post(() => { playing = false; epochsWanted = 0; Install(built); });
        }
    }

    /// <summary>The page drew the last frame; the next may come.</summary>
    public void Acknowledge() => Post(() => { pageReady = true; });

    /// <summary>The trained network as a model file or ONNX, made on the worker between two steps.</summary>
    public async Task<byte[]> ExportAsync(string format)
    {
        var done = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                if (trainer is null) throw new HttpError(409, "nothing to download: no network configured yet");
                done.SetResult(ModelExport.Export(trainer, format, temporaryFolder));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        try
        {
            return await done.Task.WaitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            throw new HttpError(410, "this session has ended");
        }
    }

    private void Post(Action command)
    {
        try
        {
            commands.Add(command);
        }
        catch (InvalidOperationException)
        {
            throw new HttpError(410, "this session has ended");
        }
    }

    private void Install(NetworkTrainer built)
    {
        trainer = built;
        frameEpoch = 0;
        view = Frames.ViewOf(built.Data, built.Config);
        Send(Frames.Data(built, view));
        dirty = true;
        pageReady = true;
    }

    private void Run()
    {
        var token = stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                while (commands.TryTake(out var command)) command();
                // The frame first: the page draws it while the next slice trains.
                if (dirty && pageReady && trainer is not null)
                {
                    Send(Frames.Frame(trainer, view!));
                    frameEpoch = trainer.Epoch;
                    dirty = false;
                    pageReady = false;
                }
                if (trainer is not null && ((playing && PaceAllows()) || epochsWanted > 0))
                {
                    TrainSlice();
                    dirty = true;
                    continue;
                }
                // Idle: sleep until the page asks for something (or acknowledges a frame).
                if (commands.TryTake(out var next, Timeout.Infinite, token)) next();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A training failure ends this session's training, never the server; the page is told why.
            Send(new { type = "error", message = $"training stopped: {e.Message}" });
        }
    }

    /// <summary>Whether playing may train on before the next frame (the configuration's epochs per frame).</summary>
    private bool PaceAllows() => trainer!.Config.EpochsPerFrame == 0 || trainer.Epoch - frameEpoch < trainer.Config.EpochsPerFrame;

    /// <summary>Trains for one time slice, up to the end of the epoch a step asked for, or up to the pace's epochs.</summary>
    private void TrainSlice()
    {
        var started = Stopwatch.GetTimestamp();
        do
        {
            if (!trainer!.Step()) continue;
            if (epochsWanted > 0 && --epochsWanted == 0 && !playing) return;
            if (playing && !PaceAllows()) break;
        }
        while (Stopwatch.GetElapsedTime(started) < Slice && commands.Count == 0 && !stop.IsCancellationRequested);
        if (!double.IsFinite(trainer.Evaluate(trainer.Data.TrainX, trainer.Data.TrainY).Loss))
        {
            playing = false;
            epochsWanted = 0;
            Send(new { type = "error", message = $"the loss diverged at epoch {trainer.Epoch}: lower the learning rate and reset" });
        }
    }

    private void Send(object message)
    {
        // False once the socket is gone and the session ending (the message has no one to go to), or when the
        // page has left the queue full: then the session ends rather than hold more for a page that does not read.
        if (!Outgoing.Writer.TryWrite(JsonSerializer.SerializeToUtf8Bytes(message, Json.Options)) && !stop.IsCancellationRequested
            && Outgoing.Reader.Count >= MaxQueuedMessages)
        {
            Outgoing.Writer.TryComplete();
            stop.Cancel();
            unread.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        commands.CompleteAdding();
        Outgoing.Writer.TryComplete();
        await Task.Run(() => worker.Join(TimeSpan.FromSeconds(10)));
    }
}

using System.Net;
using Dendrite.Playground.Digits;
using Dendrite.Playground.Sessions;
using Dendrite.Playground.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dendrite.Playground;

/// <summary>
/// The playground's web server: one page (embedded), a WebSocket per open page that carries its session's
/// frames, and a small JSON API. <see cref="Create"/> builds it; <c>dendrite playground</c> runs it.
/// </summary>
public sealed class PlaygroundServer : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();

    private PlaygroundServer(WebApplication app, PlaygroundOptions options, string temporaryFolder)
    {
        App = app;
        Options = options;
        TemporaryFolder = temporaryFolder;
    }

    /// <summary>The ASP.NET Core application (tests reach its test server through it).</summary>
    public WebApplication App { get; }

    public PlaygroundOptions Options { get; }

    /// <summary>The one folder the server writes to (model downloads pass through it); removed on dispose.</summary>
    public string TemporaryFolder { get; }

    internal SessionManager Sessions { get; private set; } = null!;

    internal DigitModel Digits { get; private set; } = null!;

    /// <summary>
    /// Builds the server; <paramref name="configure"/> may change the builder (tests swap Kestrel for a test
    /// server). Starts loading or training the digit model. Throws when the <c>--model</c> file is unusable.
    /// </summary>
    public static PlaygroundServer Create(PlaygroundOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            // A failed start (port in use) is reported by the caller in one line, not logged with a stack trace.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = Math.Max(options.Limits.MaxUploadBytes, options.Limits.MaxJsonBytes) + 1;
            if (options.Host == "localhost") k.ListenLocalhost(options.Port);
            else if (IPAddress.TryParse(options.Host, out var ip)) k.Listen(ip, options.Port);
            else throw new ArgumentException($"--host: '{options.Host}' is not an IP address or localhost");
        });
        configure?.Invoke(builder);
        var folder = Directory.CreateTempSubdirectory("dendrite-playground-").FullName;
        var app = builder.Build();
        var server = new PlaygroundServer(app, options, folder);
        server.Sessions = new SessionManager(options.Limits, folder);
        server.Digits = DigitModel.Start(options, server.stopping.Token);
        Endpoints.Map(app, server);
        return server;
    }

    /// <summary>The address the server listens on, once started (with the port the system chose for port 0).</summary>
    public string Address =>
        App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()?.Replace("[::]", "localhost", StringComparison.Ordinal)
        ?? $"http://{Options.Host}:{Options.Port}";

    public Task StartAsync(CancellationToken cancel = default) => App.StartAsync(cancel);

    /// <summary>Waits until <paramref name="cancel"/> fires or the host is asked to stop (SIGTERM).</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancel)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancel, App.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Ends every session (their workers stop), stops the server and removes the temporary folder.</summary>
    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        await Sessions.EndAllAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(TemporaryFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using System.Net;
using Dendrite.Playground.Digits;
using Dendrite.Playground.Graphs;
using Dendrite.Playground.Networks;
using Dendrite.Playground.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dendrite.Playground.Web;

/// <summary>
/// Every route of the server. Commands and uploads are plain HTTP so that each refusal is a status code with
/// a sentence (<c>{"error": ...}</c>); only the frames travel over the page's WebSocket.
/// </summary>
internal static class Endpoints
{
    public static void Map(WebApplication app, PlaygroundServer server)
    {
        var options = server.Options;
        var limits = options.Limits;
        var sessions = server.Sessions;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dendrite.Playground");

        app.Use(async (context, next) =>
        {
            try
            {
                if (options.IsLoopback && !IsLoopbackHost(context.Request.Host.Host))
                    throw HttpError.BadRequest("this server answers only requests addressed to localhost or 127.0.0.1");
                await next(context);
            }
            catch (HttpError e) when (!context.Response.HasStarted)
            {
                await Json.Error(e.Status, e.Message).ExecuteAsync(context);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                await Json.Error(e.StatusCode, e.Message).ExecuteAsync(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                // A bug, not the request's fault: logged here, and the page gets one line without a stack trace.
                logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
                await Json.Error(StatusCodes.Status500InternalServerError, "internal error (the server's log has the details)").ExecuteAsync(context);
            }
        });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });

        app.MapGet("/", () => StaticFiles.Serve("index.html"));
        app.MapGet("/static/{*path}", (string path) => StaticFiles.Serve(path));
        app.MapGet("/api/info", () => Results.Json(new
        {
            limits,
            datasets = new { classification = NetworkConfig.SyntheticClassification, regression = NetworkConfig.SyntheticRegression },
            activations = NetworkConfig.Activations,
            optimizers = NetworkConfig.OptimizerNames,
            features = NetworkConfig.FeatureOrder,
            graphs = StepGraph.Names,
            formats = ModelExport.Formats,
        }, Json.Options));

        // The page's session: opened by its WebSocket, ended when that socket closes.
        app.Map("/api/session", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
                throw HttpError.BadRequest("/api/session takes a WebSocket connection (the page opens one)");
            if (context.Request.Headers.Origin is [{ } origin] && !SameHost(origin, context.Request.Host))
                throw new HttpError(StatusCodes.Status403Forbidden, $"a page from {origin} may not open a session here");
            var session = sessions.TryCreate()
                ?? throw new HttpError(StatusCodes.Status429TooManyRequests, $"{limits.MaxSessions} sessions are open, the limit; close a playground page and retry");
            try
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                await SessionSocket.RunAsync(socket, session, limits, context.RequestAborted);
            }
            finally
            {
                await sessions.EndAsync(session);
            }
        });

        var api = app.MapGroup("/api/sessions/{id}");
        api.MapPut("/network", async (string id, HttpRequest request) =>
        {
            var config = await Json.ReadAsync<NetworkConfig>(request, limits.MaxJsonBytes, request.HttpContext.RequestAborted);
            return Results.Json(sessions.Get(id).Configure(config), Json.Options);
        });
        api.MapPost("/play", (string id) => Command(sessions, id, s => s.Play()));
        api.MapPost("/pause", (string id) => Command(sessions, id, s => s.Pause()));
        api.MapPost("/step", (string id) => Command(sessions, id, s => s.Step()));
        api.MapPost("/reset", (string id) => Command(sessions, id, s => s.Reset()));
        api.MapPost("/csv", async (string id, HttpRequest request, string? target, string? problem, string? name) =>
        {
            var session = sessions.Get(id);
            if (problem is not (null or "classification" or "regression")) throw HttpError.BadRequest($"problem must be classification or regression, got '{problem}'");
            var bytes = await Body.ReadAsync(request, limits.MaxUploadBytes, "CSV upload", request.HttpContext.RequestAborted);
            var text = PlaygroundData.DecodeText(bytes);
            if (string.IsNullOrWhiteSpace(text)) throw HttpError.BadRequest("the CSV upload is empty");
            var upload = new PlaygroundData.Upload(text, target ?? LastColumn(text), SafeName(name));
            return Results.Json(session.Upload(upload, problem == "regression"), Json.Options);
        });
        api.MapGet("/model", async (string id, string? format) =>
        {
            format ??= "dendrite";
            if (!ModelExport.Formats.Contains(format)) throw HttpError.BadRequest($"format must be {string.Join(" or ", ModelExport.Formats)}, got '{format}'");
            var bytes = await sessions.Get(id).ExportAsync(format);
            return Results.File(bytes, "application/octet-stream", format == "onnx" ? "playground.onnx" : "playground.safetensors");
        });

        app.MapGet("/api/digits", () => Results.Json(server.Digits.Describe(), Json.Options));
        app.MapPost("/api/digits/predict", async (HttpRequest request) =>
            Results.Json(server.Digits.Predict((await ReadDrawingAsync(request, limits)).Pixels!), Json.Options));
        app.MapPost("/api/digits/saliency", async (HttpRequest request) =>
        {
            var body = await ReadDrawingAsync(request, limits);
            return Results.Json(server.Digits.Saliency(body.Pixels!, body.Target), Json.Options);
        });
        app.MapPost("/api/digits/adversarial", async (HttpRequest request) =>
        {
            var body = await ReadDrawingAsync(request, limits);
            return Results.Json(server.Digits.Adversarial(body.Pixels!, body.Epsilon), Json.Options);
        });
        app.MapPost("/api/graph", async (HttpRequest request) =>
        {
            var body = await Json.ReadAsync<StepGraph.Request>(request, limits.MaxJsonBytes, request.HttpContext.RequestAborted);
            return Results.Json(StepGraph.Evaluate(body), Json.Options);
        });
        // "{*path}" rather than the default fallback pattern, which leaves out paths that look like files.
        app.MapFallback("{*path}", (HttpContext context) => Json.Error(StatusCodes.Status404NotFound, $"no such page or API: {context.Request.Method} {context.Request.Path}"));
    }

    /// <summary>A drawing; <c>target</c> (saliency) and <c>epsilon</c> (FGSM) are optional.</summary>
    private sealed record DigitRequest(float[]? Pixels, int? Target = null, float? Epsilon = null);

    private static async Task<DigitRequest> ReadDrawingAsync(HttpRequest request, PlaygroundLimits limits)
    {
        var body = await Json.ReadAsync<DigitRequest>(request, limits.MaxJsonBytes, request.HttpContext.RequestAborted);
        return body.Pixels is null ? throw HttpError.BadRequest("pixels: required (784 values in [0, 1], row by row)") : body;
    }

    private static IResult Command(SessionManager sessions, string id, Action<PlaygroundSession> command)
    {
        command(sessions.Get(id));
        return Results.NoContent();
    }

    /// <summary>The header's last field: the default target column of an upload.</summary>
    private static string LastColumn(string text)
    {
        var header = text.AsSpan(0, Math.Max(text.IndexOfAny(['\r', '\n']), 0) is var end && end > 0 ? end : text.Length);
        return header[(header.LastIndexOf(',') + 1)..].Trim().Trim('"').ToString();
    }

    /// <summary>The upload's file name for messages only (never a path): letters, digits and . _ - kept, at most 64.</summary>
    private static string SafeName(string? name)
    {
        var kept = new string([.. (name ?? "upload.csv").Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-').Take(64)]);
        return kept.Length == 0 ? "upload.csv" : kept;
    }

    private static bool IsLoopbackHost(string host) =>
        host is "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static bool SameHost(string origin, HostString host) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, host.Value, StringComparison.OrdinalIgnoreCase);
}

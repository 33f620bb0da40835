using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Dendrite.Playground.Tests;

/// <summary>A playground server on ASP.NET Core's in-process test server, with helpers for its API and sockets.</summary>
internal sealed class TestServerHost : IAsyncDisposable
{
    private TestServerHost(PlaygroundServer server)
    {
        Server = server;
        Client = server.App.GetTestClient();
    }

    public PlaygroundServer Server { get; }

    public HttpClient Client { get; }

    public static async Task<TestServerHost> StartAsync(PlaygroundLimits? limits = null, bool digits = false)
    {
        var server = PlaygroundServer.Create(new PlaygroundOptions
        {
            EnableDigits = digits,
            DigitDataPath = Repository.Path("data", "mnist-sample"),
            Limits = limits ?? new PlaygroundLimits(),
        }, builder => builder.WebHost.UseTestServer());
        await server.StartAsync();
        return new TestServerHost(server);
    }

    /// <summary>Opens a page's session: its socket and the id from the hello message.</summary>
    public async Task<Session> OpenSessionAsync()
    {
        var socket = await Server.App.GetTestServer().CreateWebSocketClient().ConnectAsync(new Uri(Client.BaseAddress!, "/api/session"), CancellationToken.None);
        var session = new Session(this, socket);
        var hello = await session.ReceiveAsync("hello");
        session.Id = hello.GetProperty("session").GetString()!;
        return session;
    }

    public async Task<(int Status, string Error)> ErrorOf(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(body);
        return ((int)response.StatusCode, doc.RootElement.GetProperty("error").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    internal sealed class Session(TestServerHost host, WebSocket socket) : IAsyncDisposable
    {
        public string Id { get; set; } = "";

        public WebSocket Socket { get; } = socket;

        public string Path(string tail) => $"/api/sessions/{Id}{tail}";

        public Task<HttpResponseMessage> Configure(object config) => host.Client.PutAsJsonAsync(Path("/network"), config);

        public Task<HttpResponseMessage> Post(string command) => host.Client.PostAsync(Path(command), null);

        /// <summary>The next message of the given type (others are skipped), within a generous time.</summary>
        public async Task<JsonElement> ReceiveAsync(string type, Func<JsonElement, bool>? where = null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var buffer = new byte[1 << 16];
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await Socket.ReceiveAsync(buffer, timeout.Token);
                    if (result.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException($"the server closed the socket: {result.CloseStatus} {result.CloseStatusDescription}");
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                var element = JsonDocument.Parse(message.ToArray()).RootElement;
                if (element.GetProperty("type").GetString() == type && (where is null || where(element))) return element;
            }
        }

        /// <summary>The next frame that satisfies <paramref name="where"/>, acknowledging every frame received.</summary>
        public async Task<JsonElement> FrameAsync(Func<JsonElement, bool>? where = null)
        {
            while (true)
            {
                var frame = await ReceiveAsync("frame");
                await Socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"ack\"}"), WebSocketMessageType.Text, true, CancellationToken.None);
                if (where is null || where(frame)) return frame;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Socket.State == WebSocketState.Open)
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            Socket.Dispose();
        }
    }
}

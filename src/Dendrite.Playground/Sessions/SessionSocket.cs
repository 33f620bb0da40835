using System.Net.WebSockets;
using System.Text.Json;
using Dendrite.Playground.Web;

namespace Dendrite.Playground.Sessions;

/// <summary>
/// The page's WebSocket: the first message out is <c>{"type":"hello","session":ID}</c>, then data and frames
/// as the worker makes them; the page sends <c>{"type":"ack"}</c> after drawing each frame. Whatever ends the
/// socket (the page closing, a network error, a malformed message) ends the session and its training.
/// </summary>
internal static class SessionSocket
{
    private const int MaxIncoming = 1024;

    public static async Task RunAsync(WebSocket socket, PlaygroundSession session, PlaygroundLimits limits, CancellationToken aborted)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(aborted, session.Unread);
        var hello = JsonSerializer.SerializeToUtf8Bytes(new { type = "hello", session = session.Id, limits }, Json.Options);
        await socket.SendAsync(hello, WebSocketMessageType.Text, true, done.Token);
        var sending = Task.Run(() => SendLoopAsync(socket, session, done.Token));
        try
        {
            await ReceiveLoopAsync(socket, session, done.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            done.Cancel();
            try
            {
                await sending;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
            if (session.Overrun) await CloseUnreadAsync(socket);
        }
    }

    /// <summary>Tells a page that left its messages unread why its session ended, if its socket still takes a close frame.</summary>
    private static async Task CloseUnreadAsync(WebSocket socket)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation,
                $"session ended: the page left {PlaygroundSession.MaxQueuedMessages} messages unread", wait.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static async Task ReceiveLoopAsync(WebSocket socket, PlaygroundSession session, CancellationToken cancel)
    {
        var buffer = new byte[MaxIncoming];
        while (socket.State == WebSocketState.Open)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"messages are at most {MaxIncoming} bytes", cancel);
                    return;
                }
                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancel);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancel);
                return;
            }
            if (!IsAck(buffer.AsSpan(0, length)))
            {
                await socket.CloseAsync(WebSocketCloseStatus.InvalidPayloadData, "the socket only takes {\"type\":\"ack\"}; commands go over HTTP", cancel);
                return;
            }
            session.Acknowledge();
        }
    }

    private static bool IsAck(ReadOnlySpan<byte> message)
    {
        try
        {
            var reader = new Utf8JsonReader(message);
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "ack";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task SendLoopAsync(WebSocket socket, PlaygroundSession session, CancellationToken cancel)
    {
        await foreach (var message in session.Outgoing.Reader.ReadAllAsync(cancel))
            await socket.SendAsync(message, WebSocketMessageType.Text, true, cancel);
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dendrite.Playground.Web;

namespace Dendrite.Playground.Sessions;

/// <summary>The open sessions, at most <see cref="PlaygroundLimits.MaxSessions"/>; each lives as long as its page's socket.</summary>
internal sealed class SessionManager(PlaygroundLimits limits, string temporaryFolder)
{
    private readonly ConcurrentDictionary<string, PlaygroundSession> sessions = new();
    private readonly object gate = new();

    public int Count => sessions.Count;

    /// <summary>A new session, or null when the limit is reached.</summary>
    public PlaygroundSession? TryCreate()
    {
        lock (gate)
        {
            if (sessions.Count >= limits.MaxSessions) return null;
            // 128 random bits: a session cannot be guessed by another page.
            var session = new PlaygroundSession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), limits, temporaryFolder);
            sessions[session.Id] = session;
            return session;
        }
    }

    public PlaygroundSession Get(string id) =>
        sessions.TryGetValue(id, out var s) ? s : throw HttpError.NotFound($"no session '{id}' (it ended when its page closed; reload the page)");

    public async Task EndAsync(PlaygroundSession session)
    {
        sessions.TryRemove(session.Id, out _);
        await session.DisposeAsync();
    }

    public async Task EndAllAsync()
    {
        foreach (var s in sessions.Values) await EndAsync(s);
    }
}

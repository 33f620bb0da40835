using System.Net;

namespace Dendrite.Playground;

/// <summary>How <c>dendrite playground</c> serves: address, digit model, limits and its temporary folder.</summary>
public sealed class PlaygroundOptions
{
    /// <summary>The address to listen on; loopback unless the user asks otherwise (<c>--host</c>).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 lets the system pick a free one (the bound address is then in <see cref="PlaygroundServer.Address"/>).</summary>
    public int Port { get; init; } = 7070;

    /// <summary>A Dendrite model file for the digit pad (input [1, 28, 28]); null trains a LeNet-5 at start-up.</summary>
    public string? DigitModelPath { get; init; }

    /// <summary>
    /// The MNIST-format folder a LeNet-5 is trained on when <see cref="DigitModelPath"/> is null; null looks for
    /// <c>data/mnist-sample</c> in the current folder and above it, then above the program's own folder.
    /// </summary>
    public string? DigitDataPath { get; init; }

    /// <summary>False leaves the digit pad without a model (tests of the other parts start faster).</summary>
    public bool EnableDigits { get; init; } = true;

    /// <summary>The limits every request is held to.</summary>
    public PlaygroundLimits Limits { get; init; } = new();

    /// <summary>Whether <see cref="Host"/> is a loopback address (or <c>localhost</c>).</summary>
    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary>
/// What one browser may ask of the server. Each limit, when exceeded, is answered with a 4xx whose message
/// names the limit; none is enforced by simply truncating.
/// </summary>
public sealed record PlaygroundLimits
{
    /// <summary>Browser sessions (open pages) training at once; one more gets 429.</summary>
    public int MaxSessions { get; init; } = 4;

    /// <summary>Hidden layers of a network.</summary>
    public int MaxLayers { get; init; } = 8;

    /// <summary>Neurons of one hidden layer.</summary>
    public int MaxNeurons { get; init; } = 64;

    /// <summary>Rows of a data set: generated samples, CSV rows or clicked points.</summary>
    public int MaxRows { get; init; } = 5000;

    /// <summary>Feature columns of an uploaded CSV.</summary>
    public int MaxFeatures { get; init; } = 64;

    /// <summary>Classes of a classification data set.</summary>
    public int MaxClasses { get; init; } = 10;

    /// <summary>Bytes of an uploaded CSV; more is 413.</summary>
    public int MaxUploadBytes { get; init; } = 2 << 20;

    /// <summary>Bytes of any JSON request body; more is 413.</summary>
    public int MaxJsonBytes { get; init; } = 256 << 10;
}

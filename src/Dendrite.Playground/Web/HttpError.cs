using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Dendrite.Playground.Web;

/// <summary>A request the server refuses, with the status and the sentence the page shows.</summary>
public sealed class HttpError(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status: 400, 404, 413, 429, ...</summary>
    public int Status { get; } = status;

    public static HttpError BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static HttpError NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    public static HttpError TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, message);
}

/// <summary>JSON in and out: the web's camelCase, unknown members refused (a typo is an error, not a silent default).</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Reads a JSON body of at most <paramref name="limit"/> bytes as <typeparamref name="T"/>: 413 when longer,
    /// 400 (with the parser's own words, which name the path and position) when it is not valid JSON for T.
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, int limit, CancellationToken cancel) where T : class
    {
        var bytes = await Body.ReadAsync(request, limit, "request", cancel);
        if (bytes.Length == 0) throw HttpError.BadRequest("the request has no body (expected JSON)");
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Options) ?? throw HttpError.BadRequest("the request body is null (expected a JSON object)");
        }
        catch (JsonException e)
        {
            throw HttpError.BadRequest($"malformed JSON: {e.Message}");
        }
    }

    public static IResult Error(int status, string message) => Results.Json(new ErrorBody(message), Options, statusCode: status);

    public sealed record ErrorBody(string Error);
}

/// <summary>Request bodies read whole, with a limit checked while reading (not trusted from Content-Length).</summary>
internal static class Body
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, int limit, string what, CancellationToken cancel)
    {
        if (request.ContentLength > limit)
            throw HttpError.TooLarge($"the {what} is {request.ContentLength:N0} bytes; the limit is {limit:N0}");
        using var buffer = new MemoryStream();
        var chunk = new byte[16 << 10];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancel)) > 0)
        {
            if (buffer.Length + read > limit)
                throw HttpError.TooLarge($"the {what} is over the limit of {limit:N0} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

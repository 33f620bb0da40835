using System.Text.Json;

namespace Dendrite.Serialization;

/// <summary>
/// Finds the one kind of bad JSON that <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
/// lets through: a <c>\u</c> escape that is valid syntax but no text (a lone UTF-16 surrogate such as
/// <c>"\uDE22"</c>). The document decodes strings only when asked, so such a file would otherwise fail later with an
/// <see cref="InvalidOperationException"/> from inside System.Text.Json instead of a message about the file.
/// </summary>
internal static class JsonStrings
{
    /// <summary>
    /// Null when every escaped string and property name of <paramref name="utf8"/> decodes; otherwise what is wrong.
    /// Throws <see cref="JsonException"/> where the syntax is invalid, as parsing would.
    /// </summary>
    public static string? FindInvalidEscape(ReadOnlySpan<byte> utf8, JsonReaderOptions options = default)
    {
        var reader = new Utf8JsonReader(utf8, options);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                    reader.GetString();
            }
        }
        catch (InvalidOperationException e)
        {
            return $"a \\u escape that is not valid UTF-16 text at byte {reader.TokenStartIndex} ({e.Message})";
        }
        return null;
    }
}

using System.Text;
using System.Text.Json;

namespace Dendrite.Data.Preprocessing;

/// <summary>The JSON form of a <see cref="Preprocessor"/>, as stored in model files and checkpoints.</summary>
public sealed partial class Preprocessor
{
    /// <summary>
    /// One JSON object: <c>{"columns": [{"name", "kind": "number"|"text", "fill", "categories"}], "scaler": {"mean": [...], "std": [...]}}</c>;
    /// floats are written shortest round-trip, so <see cref="Parse"/> gives back the same values bit for bit.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartArray("columns");
            foreach (var c in Columns)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("kind", c.Encoder is null ? "number" : "text");
                if (c.Imputer is { } imputer)
                {
                    w.WriteNumber("fill", imputer.Value);
                    w.WriteString("impute", imputer.Strategy.ToString().ToLowerInvariant());
                }
                if (c.FillCategory is { } fill) w.WriteString("fill", fill);
                if (c.Encoder is { } encoder)
                {
                    w.WriteStartArray("categories");
                    foreach (var category in encoder.Categories) w.WriteStringValue(category);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (Scaler is { } scaler)
            {
                w.WriteStartObject("scaler");
                w.WriteStartArray("mean");
                foreach (float m in scaler.Mean) w.WriteNumberValue(m);
                w.WriteEndArray();
                w.WriteStartArray("std");
                foreach (float s in scaler.Std) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads <see cref="ToJson"/>'s form; a malformed one is an <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static Preprocessor Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var columns = new List<PreprocessorColumn>();
            foreach (var c in root.GetProperty("columns").EnumerateArray())
            {
                string name = c.GetProperty("name").GetString()!;
                string kind = c.GetProperty("kind").GetString()!;
                bool hasFill = c.TryGetProperty("fill", out var fill);
                if (kind == "number")
                {
                    var imputer = hasFill ? new Imputer(Enum.Parse<ImputeStrategy>(c.GetProperty("impute").GetString()!, ignoreCase: true), fill.GetSingle()) : null;
                    columns.Add(new PreprocessorColumn(name, Imputer: imputer));
                }
                else if (kind == "text")
                {
                    var categories = c.GetProperty("categories").EnumerateArray().Select(e => e.GetString()!).ToList();
                    columns.Add(new PreprocessorColumn(name, Encoder: new OneHotEncoder(categories), FillCategory: hasFill ? fill.GetString() : null));
                }
                else throw new InvalidDataException($"column '{name}' has an unknown kind '{kind}'");
            }
            StandardScaler? scaler = null;
            if (root.TryGetProperty("scaler", out var s))
                scaler = new StandardScaler(Floats(s.GetProperty("mean")), Floats(s.GetProperty("std")));
            return new Preprocessor(columns, scaler);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"the stored preprocessing is malformed: {e.Message}", e);
        }
    }

    /// <summary>The preprocessing stored in model-file metadata (<see cref="MetadataKey"/>), or null when there is none.</summary>
    public static Preprocessor? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.TryGetValue(MetadataKey, out var json) ? Parse(json) : null;
    }

    private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetSingle())];
}

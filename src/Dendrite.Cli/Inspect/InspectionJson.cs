using System.Text.Json;

namespace Dendrite.Cli.Inspect;

/// <summary>The figures of an <see cref="Inspection"/> as JSON (<c>--json</c>), for scripts and CI: no pictures.</summary>
internal static class InspectionJson
{
    public static byte[] Build(Inspection r, double totalSeconds)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("model", r.ModelName);
            w.WriteStartArray("input_shape");
            foreach (var d in r.Spec.Input) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteStartArray("classes");
            foreach (var c in r.ClassNames) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteNumber("samples", r.Samples);
            w.WriteNumber("accuracy", r.Accuracy);
            w.WriteNumber("input_range", r.InputRange);
            w.WriteStartArray("filters");
            foreach (var (layer, shape, image) in r.Filters)
            {
                w.WriteStartObject();
                w.WriteString("layer", layer);
                w.WriteString("shape", shape);
                w.WriteNumber("width", image.Width);
                w.WriteNumber("height", image.Height);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("examples");
            foreach (var s in r.Examples)
            {
                w.WriteStartObject();
                w.WriteString("sample", s.Caption);
                if (s.Truth >= 0) w.WriteNumber("label", s.Truth);
                w.WriteNumber("predicted", s.Predicted);
                w.WriteNumber("probability", s.Probability);
                w.WriteStartArray("layers");
                foreach (var l in s.Layers)
                {
                    w.WriteStartObject();
                    w.WriteString("name", l.Name);
                    w.WriteString("type", l.Type);
                    w.WriteString("shape", l.Shape);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("activation_stats");
            foreach (var st in r.Stats)
            {
                w.WriteStartObject();
                w.WriteString("layer", st.Name);
                w.WriteString("type", st.Module.GetType().Name);
                w.WriteNumber("mean", st.Mean);
                w.WriteNumber("std", st.Std);
                w.WriteNumber("min", st.Min);
                w.WriteNumber("max", st.Max);
                if (st.DeadFraction is { } dead) w.WriteNumber("dead_fraction", dead);
                if (st.SaturatedFraction is { } saturated) w.WriteNumber("saturated_fraction", saturated);
                w.WriteStartArray("bin_edges");
                foreach (var e in st.Histogram.BinEdges) w.WriteNumberValue(e);
                w.WriteEndArray();
                w.WriteStartArray("counts");
                foreach (var c in st.Histogram.Counts) w.WriteNumberValue(c);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("maximum_response");
            foreach (var (c, _, p) in r.Maxima)
            {
                w.WriteStartObject();
                w.WriteNumber("class", c);
                w.WriteNumber("probability", p);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("robustness");
            foreach (var (attack, curve) in r.Robustness)
            {
                w.WriteStartObject();
                w.WriteString("attack", attack);
                w.WriteStartArray("points");
                foreach (var (epsilon, accuracy) in curve)
                {
                    w.WriteStartObject();
                    w.WriteNumber("epsilon", epsilon);
                    w.WriteNumber("epsilon_fraction", epsilon / r.InputRange);
                    w.WriteNumber("accuracy", accuracy);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("adversarial_examples");
            w.WriteNumber("epsilon", r.AdversarialEpsilon);
            w.WriteNumber("epsilon_fraction", r.AdversarialEpsilon / r.InputRange);
            w.WriteStartArray("samples");
            foreach (var a in r.Adversarial)
            {
                w.WriteStartObject();
                w.WriteNumber("label", a.Truth);
                w.WriteNumber("clean", a.CleanPrediction);
                foreach (var (attack, _, prediction) in a.Attacked) w.WriteNumber(attack, prediction);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("seconds");
            foreach (var (name, seconds) in r.Seconds) w.WriteNumber(name, Math.Round(seconds, 3));
            w.WriteNumber("total", Math.Round(totalSeconds, 3));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }
}

using System.Globalization;
using System.Text;
using Dendrite.Insight;

namespace Dendrite.Cli.Inspect;

/// <summary>
/// The <c>dendrite inspect</c> report: one self-contained HTML file. Pictures are inline PNG data URIs,
/// charts inline SVG, the style sheet inline; it requests nothing from anywhere, so it can be mailed or
/// archived as one file and opened offline.
/// </summary>
internal static class HtmlReport
{
    private const string Style = """
        body { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; margin: 0 auto; max-width: 1240px; padding: 16px 24px; color: #222; background: #fafafa; }
        h1 { margin: 0 0 4px; font-size: 26px; } h2 { margin: 28px 0 6px; border-bottom: 2px solid #ddd; padding-bottom: 4px; font-size: 20px; }
        h3 { margin: 14px 0 4px; font-size: 15px; } p.note { color: #555; margin: 4px 0 10px; max-width: 980px; font-size: 14px; }
        nav a { margin-right: 14px; font-size: 14px; color: #1f5f9f; }
        .row { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-end; margin-bottom: 10px; }
        .group { display: flex; gap: 4px; padding: 6px; border: 1px solid #ccc; border-radius: 6px; background: #f3f3f3; }
        figure { margin: 0; background: white; border: 1px solid #ddd; border-radius: 4px; padding: 6px; text-align: center; }
        figcaption { font-size: 12px; color: #444; margin-top: 4px; }
        img.px { image-rendering: pixelated; image-rendering: crisp-edges; display: block; margin: 0 auto; }
        .ok { color: #1a7f37; font-weight: bold; } .bad { color: #c62828; font-weight: bold; }
        table { border-collapse: collapse; background: white; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: right; }
        th { background: #f0f0f0; } td.l, th.l { text-align: left; }
        details summary { cursor: pointer; color: #1f5f9f; margin: 6px 0; }
        footer { margin-top: 30px; color: #777; font-size: 12px; }
        """;

    public static string Build(Inspection r, double totalSeconds)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.Append("<title>Inside ").Append(E(r.ModelName)).Append(" — dendrite inspect</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        h.Append("<header><h1>Inside ").Append(E(r.ModelName)).Append("</h1>\n");
        h.Append(P($"<p class=\"note\">{E(r.Training)}Input [{string.Join(", ", r.Spec.Input)}], {r.ClassNames.Count} classes, {r.Spec.Layers.Count} layers. Accuracy on the {r.Samples:N0} samples inspected: <b>{r.Accuracy:0.0000}</b>.</p>\n"));
        h.Append("<nav>");
        foreach (var (id, title) in Sections(r)) h.Append("<a href=\"#").Append(id).Append("\">").Append(title).Append("</a>");
        h.Append("</nav></header>\n");

        if (r.Filters.Count > 0)
        {
            Section(h, "filters", "Filters", "Each convolution's weights, one tile per filter (for deeper layers one column per filter, one row per input channel). Blue is negative, red positive, grey zero; each filter on its own scale. Zeiler &amp; Fergus 2014.");
            h.Append("<div class=\"row\">");
            foreach (var (layer, shape, image) in r.Filters) Figure(h, image, 400, $"layer {layer}: {shape}");
            h.Append("</div></section>\n");
        }

        Section(h, "activations", "Activations", "What every layer computes for a few test samples: one tile per channel (viridis, each channel on its own range; yellow is high), one strip of cells for a flat layer.");
        foreach (var s in r.Examples)
        {
            h.Append("<h3>").Append(E(s.Caption)).Append(": ").Append(Verdict(r, s.Truth, s.Predicted, s.Probability)).Append("</h3>\n<div class=\"row\">");
            Figure(h, s.Input, 84, "input");
            foreach (var l in s.Layers) Figure(h, l.Image, 150, $"{l.Name} {l.Type} {l.Shape}");
            h.Append("</div>\n");
        }
        h.Append("</section>\n");

        Section(h, "attributions", "Saliency and integrated gradients", "Which input pixels the predicted class's score depends on. Saliency: |∂score/∂x| (Simonyan et al. 2013), the larger the brighter. Integrated gradients (Sundararajan et al. 2017, 64 steps from a black image): red pixels raise the score, blue ones lower it.");
        h.Append("<div class=\"row\">");
        foreach (var s in r.Examples)
        {
            h.Append("<div class=\"group\">");
            Figure(h, s.Input, 96, s.Caption);
            Figure(h, s.Saliency, 96, $"saliency, {ClassName(r, s.Predicted)}");
            Figure(h, s.IntegratedGradients, 96, $"int. gradients, {ClassName(r, s.Predicted)}");
            h.Append("</div>");
        }
        h.Append("</div></section>\n");

        if (r.Stats.Count > 0)
        {
            Section(h, "distributions", "Distributions of activations", P($"Every layer's outputs over the {r.Samples:N0} samples (a bar much higher than the others, such as a ReLU's zeros, is cut and drawn lighter). Dead: the fraction of a ReLU layer's units that never fire on any sample, so they get no gradient; saturated: the fraction of a sigmoid or tanh layer's units stuck within 1% of an end of their range on every sample (Glorot &amp; Bengio 2010)."));
            h.Append("<table><tr><th class=\"l\">layer</th><th class=\"l\">type</th><th>mean</th><th>std</th><th>min</th><th>max</th><th>dead</th><th>saturated</th><th class=\"l\">histogram</th></tr>\n");
            foreach (var st in r.Stats.Where(st => st.Module is not Dendrite.NN.Layers.Flatten))
            {
                h.Append(P($"<tr><td class=\"l\">{E(st.Name)}</td><td class=\"l\">{E(st.Module.GetType().Name)}</td><td>{st.Mean:0.###}</td><td>{st.Std:0.###}</td><td>{st.Min:0.###}</td><td>{st.Max:0.###}</td>"));
                h.Append(P($"<td>{Fraction(st.DeadFraction)}</td><td>{Fraction(st.SaturatedFraction)}</td><td class=\"l\">"));
                h.Append(ReportCharts.Histogram(st.Histogram.BinEdges.Select(e => (double)e).ToList(), st.Histogram.Counts, 260, 54)).Append("</td></tr>\n");
            }
            h.Append("</table></section>\n");
        }

        if (r.Maxima.Count > 0)
        {
            Section(h, "maxima", "Maximum-response inputs", "For each class, the input the network scores highest for it, synthesised by gradient ascent on the input from faint noise (Erhan et al. 2009) with L2 decay, jitter and blur (Yosinski et al. 2015), and the probability the network then gives that class.");
            h.Append("<div class=\"row\">");
            foreach (var (c, image, p) in r.Maxima) Figure(h, image, 84, string.Create(CultureInfo.InvariantCulture, $"{ClassName(r, c)}: p = {p:0.000}"));
            h.Append("</div></section>\n");
        }

        if (r.Robustness.Count > 0)
        {
            Section(h, "robustness", "Adversarial robustness", "Accuracy when every pixel may move by up to ε towards a higher loss: FGSM, one step (Goodfellow et al. 2014), and PGD, ten projected steps from a random start (Madry et al. 2017).");
            // ε as a fraction of the inputs' range: pixels in [0, 1] or standardised, 0.1 means the same.
            var curves = r.Robustness.Select(c => (c.Attack, (IReadOnlyList<(float, float)>)c.Curve.Select(p => (p.Epsilon / r.InputRange, p.Accuracy)).ToList())).ToList();
            h.Append(ReportCharts.Robustness(curves)).Append('\n');
            h.Append(P($"<h3>Adversarial examples at ε = {r.AdversarialEpsilon / r.InputRange:0.###} of the input range</h3>\n<p class=\"note\">Samples the model gets right, after each attack, and PGD's change to the input (blue darker, red brighter).</p>\n<div class=\"row\">"));
            foreach (var a in r.Adversarial)
            {
                h.Append("<div class=\"group\">");
                Figure(h, a.Clean, 84, $"clean: {Verdict(r, a.Truth, a.CleanPrediction, null)}", raw: true);
                foreach (var (attack, image, prediction) in a.Attacked) Figure(h, image, 84, $"{attack}: predicted {Verdict(r, a.Truth, prediction, null, brief: true)}", raw: true);
                Figure(h, a.Perturbation, 84, "PGD − clean");
                h.Append("</div>");
            }
            h.Append("</div></section>\n");
        }

        if (r.DecisionBoundary is { } boundary)
        {
            Section(h, "boundary", "Decision boundary", "The class the model predicts at each point of the plane, paler where it is less sure, with the samples on top.");
            h.Append("<div class=\"row\">");
            Figure(h, boundary, 320, "decision boundary");
            h.Append("</div></section>\n");
        }

        if (r.GraphSvg is { } graph)
        {
            Section(h, "graph", "Computational graph", "The autograd graph of one forward pass: parameters in blue, ops in yellow, the output in green.");
            h.Append("<details><summary>Show the graph</summary>\n").Append(StripXmlNamespace(graph)).Append("</details></section>\n");
        }

        h.Append("<footer>Made by <code>dendrite inspect</code> in ").Append(totalSeconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" s (");
        h.Append(string.Join(", ", r.Seconds.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{E(kv.Key)} {kv.Value:0.00} s"))));
        h.Append(").</footer>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static IEnumerable<(string Id, string Title)> Sections(Inspection r)
    {
        if (r.Filters.Count > 0) yield return ("filters", "Filters");
        yield return ("activations", "Activations");
        if (r.Stats.Count > 0) yield return ("distributions", "Distributions");
        yield return ("attributions", "Saliency");
        if (r.Maxima.Count > 0) yield return ("maxima", "Maximum response");
        if (r.Robustness.Count > 0) yield return ("robustness", "Robustness");
        if (r.DecisionBoundary is not null) yield return ("boundary", "Decision boundary");
        if (r.GraphSvg is not null) yield return ("graph", "Graph");
    }

    private static void Section(StringBuilder h, string id, string title, string note) =>
        h.Append("<section id=\"").Append(id).Append("\"><h2>").Append(title).Append("</h2>\n<p class=\"note\">").Append(note).Append("</p>\n");

    /// <summary>A picture shown about <paramref name="size"/> pixels on its longer side, enlarged by whole pixels; a 1-pixel-high strip is drawn 16 pixels high.</summary>
    private static void Figure(StringBuilder h, RgbImage image, int size, string caption, bool raw = false)
    {
        int scale = Math.Clamp(size / Math.Max(image.Width, image.Height), 1, 16);
        int w = image.Width * scale, height = image.Height <= 3 ? 16 : image.Height * scale;
        if (image.Height <= 3) w = Math.Max(w, Math.Min(360, image.Width * 3));
        h.Append(P($"<figure><img class=\"px\" src=\"{image.ToDataUri()}\" width=\"{w}\" height=\"{height}\" alt=\"{E(StripTags(caption))}\"><figcaption>{(raw ? caption : E(caption))}</figcaption></figure>"));
    }

    private static string Verdict(Inspection r, int truth, int predicted, float? probability, bool brief = false)
    {
        string p = probability is { } v ? string.Create(CultureInfo.InvariantCulture, $" ({v:0.000})") : "";
        if (truth < 0) return $"predicted <b>{E(ClassName(r, predicted))}</b>{p}";
        string cls = truth == predicted ? "ok" : "bad", guess = $"<span class=\"{cls}\">{E(ClassName(r, predicted))}</span>{p}";
        return brief ? guess : $"label {E(ClassName(r, truth))}, predicted {guess}";
    }

    private static string ClassName(Inspection r, int c) => c >= 0 && c < r.ClassNames.Count ? r.ClassNames[c] : c.ToString(CultureInfo.InvariantCulture);

    private static string Fraction(double? f) => f is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    private static string StripTags(string s) => System.Text.RegularExpressions.Regex.Replace(s, "<[^>]*>", "");

    // Inline SVG in HTML needs no namespace declaration; dropping it leaves the report with no URL at all.
    private static string StripXmlNamespace(string svg) => svg.Replace(" xmlns=\"http://www.w3.org/2000/svg\"", "", StringComparison.Ordinal);

    private static string E(string s) => Html.Escape(s);

    private static string P(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

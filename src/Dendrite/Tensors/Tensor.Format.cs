using System.Globalization;
using System.Text;

namespace Dendrite.Tensors;

// Printing in PyTorch's format (torch/_tensor_str.py's rules, default print options): four decimals,
// whole numbers as "1.", scientific notation when magnitudes span more than 1000× or leave [1e-4, 1e8],
// right-aligned columns, rows wrapped at 80 characters, and tensors over 1000 elements summarised as
// their first and last three entries per dimension.
public partial class Tensor
{
    private const int LineWidth = 80;
    private const int SummaryThreshold = 1000;
    private const int EdgeItems = 3;

    /// <summary>The values as PyTorch prints them, e.g. <c>tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)</c>.</summary>
    public override string ToString()
    {
        const string prefix = "tensor(";
        int indent = prefix.Length;
        var suffixes = new List<string>();
        string body;
        if (Numel == 0)
        {
            body = "[]";
            if (Rank != 1) suffixes.Add("size=(" + string.Join(", ", Shape.ToArray()) + (Rank == 1 ? ",)" : ")"));
        }
        else
        {
            bool summarize = Numel > SummaryThreshold;
            var formatter = new ValueFormatter(summarize ? SummarizedValues() : ToArray());
            var text = new StringBuilder();
            AppendTensor(text, ContiguousNoGrad(), indent, summarize, formatter);
            body = text.ToString();
        }
        if (GradFn is not null) suffixes.Add($"grad_fn=<{GradFn.Name}>");
        else if (RequiresGrad) suffixes.Add("requires_grad=True");

        var result = new StringBuilder(prefix).Append(body);
        int lastLine = result.Length - result.ToString().LastIndexOf('\n') + 1;
        foreach (var suffix in suffixes)
        {
            if (lastLine + suffix.Length + 2 > LineWidth)
            {
                result.Append(",\n").Append(' ', indent).Append(suffix);
                lastLine = indent + suffix.Length;
            }
            else
            {
                result.Append(", ").Append(suffix);
                lastLine += suffix.Length + 2;
            }
        }
        return result.Append(')').ToString();
    }

    private static void AppendTensor(StringBuilder text, Tensor t, int indent, bool summarize, ValueFormatter formatter)
    {
        if (t.Rank == 0)
        {
            text.Append(formatter.Format(t.Item(), pad: false));
            return;
        }
        int size = t.Shape[0];
        bool cut = summarize && size > 2 * EdgeItems;
        if (t.Rank == 1)
        {
            var items = new List<string>();
            for (int i = 0; i < size; i++)
            {
                if (cut && i == EdgeItems)
                {
                    items.Add(" ...");
                    i = size - EdgeItems - 1;
                    continue;
                }
                items.Add(formatter.Format(t.Data[t.Offset + i * t.StridesArray[0]], pad: true));
            }
            int perLine = Math.Max(1, (LineWidth - indent) / (formatter.Width + 2));
            text.Append('[');
            for (int i = 0; i < items.Count; i++)
            {
                if (i > 0) text.Append(i % perLine == 0 ? ",\n" + new string(' ', indent + 1) : ", ");
                text.Append(items[i]);
            }
            text.Append(']');
            return;
        }
        string separator = "," + new string('\n', t.Rank - 1) + new string(' ', indent + 1);
        text.Append('[');
        bool first = true;
        for (int i = 0; i < size; i++)
        {
            if (!first) text.Append(separator);
            first = false;
            if (cut && i == EdgeItems)
            {
                text.Append("...");
                i = size - EdgeItems - 1;
                continue;
            }
            AppendTensor(text, t.Select(0, i), indent + 1, summarize, formatter);
        }
        text.Append(']');
    }

    /// <summary>The values a summarised print shows (first and last entries of each dimension), which decide its format.</summary>
    private float[] SummarizedValues()
    {
        using var noGrad = Autograd.GradMode.NoGrad();
        if (Rank == 0) return [Item()];
        var t = this;
        if (Shape[0] > 2 * EdgeItems)
            t = Cat([Narrow(0, 0, EdgeItems), Narrow(0, Shape[0] - EdgeItems, EdgeItems)], 0);
        if (Rank == 1) return t.ToArray();
        var values = new List<float>();
        for (int i = 0; i < t.Shape[0]; i++) values.AddRange(t.Select(0, i).SummarizedValues());
        return [.. values];
    }

    /// <summary>Chooses one number format for all printed values, as PyTorch's _Formatter does.</summary>
    private sealed class ValueFormatter
    {
        private readonly bool intMode, sciMode;

        public ValueFormatter(float[] values)
        {
            var finite = values.Where(v => float.IsFinite(v) && v != 0).Select(v => Math.Abs((double)v)).ToArray();
            intMode = finite.All(v => v == Math.Ceiling(v));
            if (finite.Length > 0)
            {
                double min = finite.Min(), max = finite.Max();
                sciMode = intMode ? max / min > 1000 || max > 1e8 : max / min > 1000 || max > 1e8 || min < 1e-4;
            }
            // Like PyTorch, whole-number mode sizes columns by the non-zero finite values only.
            var sized = intMode && !sciMode ? values.Where(v => float.IsFinite(v) && v != 0) : values;
            Width = sized.Select(v => Format(v, pad: false).Length).Append(1).Max();
        }

        public int Width { get; }

        public string Format(float value, bool pad)
        {
            double v = value;
            string s;
            if (double.IsNaN(v)) s = "nan";
            else if (double.IsInfinity(v)) s = v > 0 ? "inf" : "-inf";
            else if (sciMode) s = v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
            else if (intMode) s = v.ToString("F0", CultureInfo.InvariantCulture) + ".";
            else s = v.ToString("F4", CultureInfo.InvariantCulture);
            if (s.StartsWith("-0", StringComparison.Ordinal) && value == 0 && !float.IsNegative(value)) s = s[1..];
            return pad && s.Length < Width ? new string(' ', Width - s.Length) + s : s;
        }
    }
}

using System.Globalization;
using System.Text;

namespace Dendrite.Training.Callbacks;

/// <summary>
/// Writes one line per epoch to a <see cref="TextWriter"/> (default <see cref="Console.Out"/>), e.g.
/// <c>epoch  3/10  loss 0.2145  accuracy 0.9125  val_loss 0.2533  val_accuracy 0.8900</c>, with
/// <c>digits</c> (default 4) decimals, invariant culture. With <c>every</c> = k only every k-th epoch
/// (and the last) is written, for long runs of short epochs.
/// </summary>
public sealed class EpochLogger(TextWriter? writer = null, int digits = 4, int every = 1) : Callback
{
    private readonly int every = every >= 1 ? every
        : throw new ArgumentOutOfRangeException(nameof(every), $"EpochLogger: every must be at least 1, got {every}");
    private readonly TextWriter writer = writer ?? Console.Out;
    private readonly string format = "F" + (digits is >= 0 and <= 15 ? digits
        : throw new ArgumentOutOfRangeException(nameof(digits), $"EpochLogger: digits must lie in [0, 15], got {digits}"));

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if ((context.Epoch + 1) % every != 0 && context.Epoch + 1 != context.Epochs && !context.StopTraining) return;
        int width = context.Epochs.ToString(CultureInfo.InvariantCulture).Length;
        var line = new StringBuilder("epoch ")
            .Append((context.Epoch + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width))
            .Append('/').Append(context.Epochs);
        foreach (var (key, value) in context.Logs)
            line.Append("  ").Append(key).Append(' ').Append(value.ToString(format, CultureInfo.InvariantCulture));
        writer.WriteLine(line.ToString());
    }
}

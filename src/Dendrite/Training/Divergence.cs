using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Training;

/// <summary>What <see cref="Trainer.Fit"/> does with a batch whose loss is NaN or infinite.</summary>
public enum NonFiniteLossPolicy
{
    /// <summary>Throw <see cref="TrainingDivergedException"/> naming the step and the first layer whose output went non-finite.</summary>
    Stop,

    /// <summary>Leave the weights as they are (no backward, no update) and count the batch in <see cref="Callbacks.TrainingContext.SkippedBatches"/>.</summary>
    Skip,
}

/// <summary>
/// The loss became NaN or infinite. <see cref="Epoch"/> and <see cref="Batch"/> count from 1; the weights
/// are those after the previous step (the failing batch's update is never applied).
/// </summary>
public sealed class TrainingDivergedException(string message, int epoch, int batch, string? layer) : InvalidOperationException(message)
{
    /// <summary>The epoch of the failing step, from 1.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>The batch of the failing step within its epoch, from 1.</summary>
    public int Batch { get; } = batch;

    /// <summary>The first layer whose output went non-finite (its name in the model, and type), or null when no layer's did.</summary>
    public string? Layer { get; } = layer;
}

/// <summary>Finds where a forward pass first produced a NaN or an infinity.</summary>
internal static class Divergence
{
    /// <summary>
    /// The exception for a non-finite loss <paramref name="value"/> at (<paramref name="epoch"/>,
    /// <paramref name="batch"/>), both from 0: the data when the batch itself holds NaN/∞, else the layer
    /// found by re-running <paramref name="inputs"/> through <paramref name="model"/> layer by layer.
    /// </summary>
    public static TrainingDivergedException Diverged(Module model, Tensor inputs, Tensor targets, float value, int epoch, int batch, int batches, string? why = null)
    {
        string? layer = null;
        string where;
        if (!AllFinite(inputs)) where = "the batch's inputs already hold NaN or ∞ (check the data)";
        else if (!AllFinite(targets)) where = "the batch's targets hold NaN or ∞ (check the data)";
        else
        {
            layer = FirstNonFinite(model, inputs);
            where = layer is null
                ? "every layer's output is finite, so the loss itself overflowed (outputs too large for it)"
                : $"the first layer whose output is not finite is {layer}{NonFiniteParameter(model, layer)}";
        }
        string loss = float.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity";
        return new TrainingDivergedException(
            $"Trainer: training diverged: the loss became {loss} at epoch {epoch + 1}, batch {batch + 1} of {batches}{why}; {where}; " +
            "try a smaller learning rate or check the data for NaN/∞", epoch + 1, batch + 1, layer);
    }

    /// <summary>Whether every value of <paramref name="t"/> is finite.</summary>
    public static bool AllFinite(Tensor t)
    {
        foreach (var v in t.ToArray())
            if (!float.IsFinite(v)) return false;
        return true;
    }

    /// <summary>
    /// "layer 3 (Linear)": the first leaf module whose output is not finite, found by feeding
    /// <paramref name="inputs"/> through a <see cref="Sequential"/> one layer at a time (nested ones
    /// entered); any other module is checked as a whole. Runs without recording gradients, in the model's
    /// current mode.
    /// </summary>
    private static string? FirstNonFinite(Module model, Tensor inputs)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        var x = inputs;
        return Walk(model, "", ref x);
    }

    private static string? Walk(Module module, string name, ref Tensor x)
    {
        if (module is Sequential sequential)
        {
            for (int i = 0; i < sequential.Count; i++)
            {
                string child = name.Length == 0 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{name}.{i}";
                if (Walk(sequential[i], child, ref x) is { } found) return found;
            }
            return null;
        }
        x = module.Forward(x);
        if (AllFinite(x)) return null;
        return name.Length == 0 ? $"the model ({module.GetType().Name})" : $"layer {name} ({module.GetType().Name})";
    }

    /// <summary>", whose weight holds NaN/∞" when that layer's own parameters are no longer finite.</summary>
    private static string NonFiniteParameter(Module model, string layer)
    {
        foreach (var (name, parameter) in model.NamedParameters())
        {
            int dot = name.LastIndexOf('.');
            if (dot < 0 || !layer.StartsWith($"layer {name[..dot]} ", StringComparison.Ordinal)) continue;
            if (!AllFinite(parameter)) return $", whose {name[(dot + 1)..]} already holds NaN/∞ (an earlier update overflowed)";
        }
        return "";
    }
}

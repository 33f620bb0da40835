using Dendrite.Autograd;
using Dendrite.Data.Datasets;
using Dendrite.Data.Preprocessing;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Serialization;

/// <summary>
/// A model file loaded with what is needed to use it on raw data: the model (in evaluation mode), its spec,
/// the <see cref="Preprocessor"/> fitted in training (null in files written without one) and the facts.
/// <see cref="Predict(CsvTable)"/> and <see cref="Predict(Tensor)"/> prepare raw inputs as training did,
/// so a caller never repeats the standardisation by hand.
/// </summary>
public sealed record TrainedModel(Sequential Model, ModelSpec Spec, Preprocessor? Preprocessor, IReadOnlyDictionary<string, string> Facts)
{
    /// <summary>Loads <paramref name="path"/> (see <see cref="ModelFile.Load"/>) and its stored preprocessing.</summary>
    public static TrainedModel Load(string path)
    {
        var (model, spec, facts) = ModelFile.Load(path);
        Preprocessor? preprocessor;
        try
        {
            preprocessor = Preprocessor.FromMetadata(facts);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        return new TrainedModel(model, spec, preprocessor, facts);
    }

    /// <summary>The model's inputs for raw numeric inputs [N, ...] (pixels in [0, 1], say): scaled as in training and shaped as the spec says.</summary>
    public Tensor Prepare(Tensor raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var scaled = Preprocessor?.Scale(raw) ?? raw;
        return scaled.Reshape([raw.Shape[0], .. Spec.Input]);
    }

    /// <summary>The model's outputs [N, ...] for raw numeric inputs [N, ...], without recording a graph.</summary>
    public Tensor Predict(Tensor raw)
    {
        using var _ = GradMode.NoGrad();
        return Model.Forward(Prepare(raw));
    }

    /// <summary>The model's outputs for a table's rows, encoded and scaled by the stored preprocessing (columns found by name).</summary>
    public Tensor Predict(CsvTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (Preprocessor is not { Columns.Count: > 0 } preprocessor)
            throw new InvalidOperationException("TrainedModel.Predict: this model stores no table preprocessing; pass its numeric inputs as a tensor");
        using var _ = GradMode.NoGrad();
        return Model.Forward(preprocessor.Transform(table).Reshape([table.Rows.Count, .. Spec.Input]));
    }
}

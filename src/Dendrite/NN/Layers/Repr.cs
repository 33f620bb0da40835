using System.Globalization;

namespace Dendrite.NN.Layers;

// Module descriptions print values as PyTorch does, so a printed model reads the same in both.
internal static class Repr
{
    public static string Bool(bool value) => value ? "True" : "False";

    public static string Number(float value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}

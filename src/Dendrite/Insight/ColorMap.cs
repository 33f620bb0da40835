using System.Globalization;

namespace Dendrite.Insight;

/// <summary>An 8-bit sRGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>The colour as <c>#rrggbb</c>.</summary>
    public string Hex => string.Create(CultureInfo.InvariantCulture, $"#{R:x2}{G:x2}{B:x2}");

    /// <summary>Parses <c>#rrggbb</c> or <c>rrggbb</c>.</summary>
    public static Rgb Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var s = hex.AsSpan().TrimStart('#');
        if (s.Length != 6 || !int.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v))
            throw new FormatException($"Rgb.Parse: '{hex}' is not a colour #rrggbb");
        return new((byte)(v >> 16), (byte)(v >> 8), (byte)v);
    }

    /// <summary>The colour <paramref name="t"/> of the way from <paramref name="a"/> to <paramref name="b"/> (t clamped to [0, 1]).</summary>
    public static Rgb Lerp(Rgb a, Rgb b, float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        return new(Mix(a.R, b.R, t), Mix(a.G, b.G, t), Mix(a.B, b.B, t));
    }

    internal static byte Mix(byte a, byte b, float t) => (byte)MathF.Round(a + (b - a) * t);
}

/// <summary>
/// A colour map: a number t in [0, 1] to a colour, through a table of 256 entries with linear interpolation
/// between neighbours (so t = i / 255 gives entry i exactly). Values outside [0, 1] are clamped; NaN maps to
/// <see cref="Bad"/>. <see cref="Viridis"/> for magnitudes, <see cref="CoolWarm"/> for signed values
/// (0.5 is zero), <see cref="Greys"/> for images.
/// </summary>
public sealed class ColorMap
{
    private readonly Rgb[] table;

    private ColorMap(string name, bool diverging, Rgb[] table)
    {
        Name = name;
        Diverging = diverging;
        this.table = table;
    }

    /// <summary>The map's name (<c>viridis</c>, <c>coolwarm</c>, <c>greys</c>).</summary>
    public string Name { get; }

    /// <summary>True for a map meant for signed data, with zero at t = 0.5.</summary>
    public bool Diverging { get; }

    /// <summary>The colour given to NaN: magenta, which none of the maps contains.</summary>
    public static Rgb Bad { get; } = new(255, 0, 255);

    /// <summary>Entry <paramref name="index"/> (0…255) of the table.</summary>
    public Rgb this[int index] => table[index];

    /// <summary>The colour for <paramref name="t"/> in [0, 1].</summary>
    public Rgb Map(float t)
    {
        if (float.IsNaN(t)) return Bad;
        float x = Math.Clamp(t, 0f, 1f) * 255f;
        int i = Math.Min((int)x, 254);
        return Rgb.Lerp(table[i], table[i + 1], x - i);
    }

    /// <summary>
    /// Viridis (van der Walt and Smith, matplotlib 1.5, 2015): perceptually uniform in CAM02-UCS, readable in
    /// grey and by the colour-blind; dark purple (#440154) at 0, teal (#21918c) near 0.5, yellow (#fde725) at 1.
    /// </summary>
    public static ColorMap Viridis { get; } = new("viridis", false, ParseTable(
        // The published 256-entry table, each entry rounded to 8 bits.
        "44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164471365481467481668481769" +
        "48186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a" +
        "472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85" +
        "4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b" +
        "3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d" +
        "33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e" +
        "2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e" +
        "26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d" +
        "21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88" +
        "1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad81" +
        "28ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc74" +
        "3fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863" +
        "5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d" +
        "84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32" +
        "addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a" +
        "d8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725"));

    /// <summary>
    /// Moreland's cool-warm diverging map ("Diverging Color Maps for Scientific Visualization", ISVC 2009):
    /// blue (59, 76, 192) to red (180, 4, 38) through a neutral grey (221, 221, 221) at 0.5, interpolated in
    /// his Msh space (polar CIELAB) so lightness rises and falls linearly on either side. Computed from the
    /// paper's formula and endpoints (<see cref="MshInterpolation"/>).
    /// </summary>
    public static ColorMap CoolWarm { get; } = new("coolwarm", true, MshInterpolation.Table(
        (0.2298057, 0.298717966, 0.753683153), (0.705673158, 0.01555616, 0.150232812), 256));

    /// <summary>Black at 0 to white at 1.</summary>
    public static ColorMap Greys { get; } = new("greys", false,
        Enumerable.Range(0, 256).Select(i => new Rgb((byte)i, (byte)i, (byte)i)).ToArray());

    /// <summary>The map named <paramref name="name"/> (viridis, coolwarm, greys; case-insensitive).</summary>
    public static ColorMap FromName(string name) => name?.ToLowerInvariant() switch
    {
        "viridis" => Viridis,
        "coolwarm" => CoolWarm,
        "greys" or "gray" or "grey" => Greys,
        _ => throw new ArgumentException($"ColorMap: unknown colour map '{name}'; use viridis, coolwarm or greys", nameof(name)),
    };

    private static Rgb[] ParseTable(string hex)
    {
        var result = new Rgb[hex.Length / 6];
        for (int i = 0; i < result.Length; i++) result[i] = Rgb.Parse(hex.Substring(i * 6, 6));
        return result;
    }
}

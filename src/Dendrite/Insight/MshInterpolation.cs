namespace Dendrite.Insight;

/// <summary>
/// Moreland's diverging interpolation (ISVC 2009, section 4): colours are converted to Msh — the polar form
/// of CIELAB, M the distance from black, s the angle from the grey axis, h the hue — and interpolated
/// linearly there. When both ends are saturated and their hues differ by more than 60°, the path passes
/// through an unsaturated point of magnitude max(M₁, M₂, 88), so the middle is a neutral light grey; the hue
/// of an unsaturated end is "spun" towards the saturated one so lightness changes without a hue jump.
/// sRGB with the D65 white point (IEC 61966-2-1).
/// </summary>
internal static class MshInterpolation
{
    private const double WhiteX = 0.95047, WhiteY = 1.0, WhiteZ = 1.08883;

    /// <summary><paramref name="count"/> colours from <paramref name="low"/> to <paramref name="high"/> (sRGB components in [0, 1]).</summary>
    public static Rgb[] Table((double R, double G, double B) low, (double R, double G, double B) high, int count)
    {
        var a = ToMsh(low);
        var b = ToMsh(high);
        var table = new Rgb[count];
        for (int i = 0; i < count; i++)
        {
            var (r, g, bl) = Interpolate(a, b, i / (double)(count - 1));
            table[i] = new Rgb(Byte(r), Byte(g), Byte(bl));
        }
        return table;
    }

    /// <summary>The sRGB colour (components in [0, 1], clamped) a fraction <paramref name="t"/> of the way between two Msh colours.</summary>
    public static (double R, double G, double B) Interpolate((double M, double S, double H) a, (double M, double S, double H) b, double t)
    {
        if (a.S > 0.05 && b.S > 0.05 && AngleBetween(a.H, b.H) > Math.PI / 3)
        {
            double mid = Math.Max(Math.Max(a.M, b.M), 88);
            if (t < 0.5)
            {
                b = (mid, 0, 0);
                t *= 2;
            }
            else
            {
                a = (mid, 0, 0);
                t = 2 * t - 1;
            }
        }
        if (a.S < 0.05 && b.S > 0.05) a.H = SpinHue(b, a.M);
        else if (b.S < 0.05 && a.S > 0.05) b.H = SpinHue(a, b.M);
        var msh = ((1 - t) * a.M + t * b.M, (1 - t) * a.S + t * b.S, (1 - t) * a.H + t * b.H);
        return FromMsh(msh);
    }

    /// <summary>sRGB (components in [0, 1]) to Msh.</summary>
    public static (double M, double S, double H) ToMsh((double R, double G, double B) rgb)
    {
        double r = Linear(rgb.R), g = Linear(rgb.G), b = Linear(rgb.B);
        double x = 0.4124 * r + 0.3576 * g + 0.1805 * b;
        double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        double z = 0.0193 * r + 0.1192 * g + 0.9505 * b;
        double fx = F(x / WhiteX), fy = F(y / WhiteY), fz = F(z / WhiteZ);
        double l = 116 * fy - 16, la = 500 * (fx - fy), lb = 200 * (fy - fz);
        double m = Math.Sqrt(l * l + la * la + lb * lb);
        return (m, m > 0 ? Math.Acos(l / m) : 0, Math.Atan2(lb, la));
    }

    /// <summary>Msh to sRGB, clamped to [0, 1].</summary>
    public static (double R, double G, double B) FromMsh((double M, double S, double H) msh)
    {
        double l = msh.M * Math.Cos(msh.S), la = msh.M * Math.Sin(msh.S) * Math.Cos(msh.H), lb = msh.M * Math.Sin(msh.S) * Math.Sin(msh.H);
        double fy = (l + 16) / 116, fx = fy + la / 500, fz = fy - lb / 200;
        double x = WhiteX * FInverse(fx), y = WhiteY * FInverse(fy), z = WhiteZ * FInverse(fz);
        double r = 3.2406 * x - 1.5372 * y - 0.4986 * z;
        double g = -0.9689 * x + 1.8758 * y + 0.0415 * z;
        double b = 0.0557 * x - 0.2040 * y + 1.0570 * z;
        return (Gamma(r), Gamma(g), Gamma(b));
    }

    // How far to turn the hue of an unsaturated colour of magnitude m towards a saturated one (Moreland, eq. 4).
    private static double SpinHue((double M, double S, double H) saturated, double m)
    {
        if (saturated.M >= m) return saturated.H;
        double spin = saturated.S * Math.Sqrt(m * m - saturated.M * saturated.M) / (saturated.M * Math.Sin(saturated.S));
        return saturated.H > -Math.PI / 3 ? saturated.H + spin : saturated.H - spin;
    }

    private static double AngleBetween(double h1, double h2)
    {
        double d = Math.Abs(h1 - h2) % (2 * Math.PI);
        return d > Math.PI ? 2 * Math.PI - d : d;
    }

    private static double Linear(double c) => c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);

    private static double Gamma(double c)
    {
        c = Math.Clamp(c, 0, 1);
        return c <= 0.0031308 ? 12.92 * c : 1.055 * Math.Pow(c, 1 / 2.4) - 0.055;
    }

    private static double F(double t) => t > 216.0 / 24389 ? Math.Cbrt(t) : (24389.0 / 27 * t + 16) / 116;

    private static double FInverse(double f) => f * f * f > 216.0 / 24389 ? f * f * f : (116 * f - 16) * 27 / 24389;

    private static byte Byte(double c) => (byte)Math.Round(Math.Clamp(c, 0, 1) * 255);
}

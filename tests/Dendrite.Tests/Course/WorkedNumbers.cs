using System.Globalization;
using System.Text.RegularExpressions;
using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>
/// The lines a course program prints for its worked numbers, <c>label: dendrite-value (lecture: lecture-value)</c>
/// (or, for a number the lectures take from a paper, <c>(LeCun 1998: value)</c>), by label; and the program's other
/// output.
/// </summary>
internal sealed partial class WorkedNumbers
{
    private readonly Dictionary<string, (double Dendrite, double Lecture)> numbers = new(StringComparer.Ordinal);

    public string Output { get; }

    private WorkedNumbers(string output)
    {
        Output = output;
        foreach (var raw in output.Split('\n'))
        {
            var match = Line().Match(raw.TrimEnd('\r'));
            if (match.Success)
                numbers[match.Groups[1].Value] = (Parse(match.Groups[2].Value), Parse(match.Groups[3].Value));
        }
    }

    /// <summary>Runs <c>dotnet run -c Release examples/course/FILE</c> and collects what it printed.</summary>
    public static WorkedNumbers Run(string file, params string[] args) =>
        new(DotnetRun.Program("examples/course/" + file, release: true, args: args));

    public IReadOnlyCollection<string> Labels => numbers.Keys;

    /// <summary>Dendrite's value printed for <paramref name="label"/>; fails the test if there is no such line.</summary>
    public double this[string label] => Get(label).Dendrite;

    /// <summary>The lecture's value printed beside it.</summary>
    public double Lecture(string label) => Get(label).Lecture;

    /// <summary>
    /// Checks that Dendrite's value and the printed lecture value are both within <paramref name="tolerance"/> of
    /// <paramref name="expected"/>, the value the test itself takes from the lecture.
    /// </summary>
    public void Check(string label, double expected, double tolerance)
    {
        var (dendrite, lecture) = Get(label);
        Assert.True(Math.Abs(dendrite - expected) <= tolerance,
            $"{label}: Dendrite printed {dendrite}, the lecture's value is {expected} (tolerance {tolerance})");
        Assert.True(Math.Abs(lecture - expected) <= tolerance,
            $"{label}: the lecture value printed is {lecture}, the lecture's value is {expected} (tolerance {tolerance})");
    }

    /// <summary>
    /// Checks every worked number's two printed values against each other: within <paramref name="absolute"/> or
    /// <paramref name="relative"/> of the lecture's magnitude, whichever is larger.
    /// </summary>
    public void CheckAllAgree(double absolute, double relative)
    {
        Assert.NotEmpty(numbers);
        foreach (var (label, (dendrite, lecture)) in numbers)
            Assert.True(Math.Abs(dendrite - lecture) <= Math.Max(absolute, relative * Math.Abs(lecture)),
                $"{label}: Dendrite printed {dendrite}, the lecture value printed is {lecture}");
    }

    private (double Dendrite, double Lecture) Get(string label)
    {
        Assert.True(numbers.TryGetValue(label, out var value),
            $"no worked number '{label}' in the output; labels: {string.Join(" | ", numbers.Keys)}\n{Output}");
        return value;
    }

    private static double Parse(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(.+): (-?[0-9.]+(?:[eE][-+]?[0-9]+)?) \([^():]+: (-?[0-9.]+(?:[eE][-+]?[0-9]+)?)\)$")]
    private static partial Regex Line();
}

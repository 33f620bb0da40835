using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>
/// Every exercise under <c>examples/course/exercises</c>, run twice from a copy in a temporary folder: as shipped it
/// must answer "not yet" and exit 1 (the learner's part is still missing), and with the reference solution from
/// <c>tests/Dendrite.Tests/Course/Solutions</c> spliced between its markers it must answer "passed" and exit 0.
/// The list is read from the folder, so a new exercise is covered as soon as it and its solution exist.
/// </summary>
[Collection(DotnetRunCollection.Name)]
public class ExerciseTests
{
    internal const string ExerciseFolder = "examples/course/exercises";
    internal const string SolutionFolder = "tests/Dendrite.Tests/Course/Solutions";
    internal const string BeginMarker = "// BEGIN EXERCISE";
    internal const string EndMarker = "// END EXERCISE";

    public static TheoryData<string> Exercises()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(DotnetRun.RepositoryRoot(), ExerciseFolder), "*.cs").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Fact]
    public void EveryExerciseHasOneSolutionAndEverySolutionAnExercise()
    {
        var root = DotnetRun.RepositoryRoot();
        static string[] Names(string folder) =>
            [.. Directory.GetFiles(folder, "*.cs").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)];
        var exercises = Names(Path.Combine(root, ExerciseFolder));
        var solutions = Names(Path.Combine(root, SolutionFolder));
        Assert.NotEmpty(exercises);
        Assert.Equal(exercises, solutions);
    }

    [Theory]
    [MemberData(nameof(Exercises))]
    public void AsShippedSaysNotYetAndWithTheSolutionPasses(string name)
    {
        var root = DotnetRun.RepositoryRoot();
        var exercise = File.ReadAllLines(Path.Combine(root, ExerciseFolder, name + ".cs"));
        var solution = File.ReadAllText(Path.Combine(root, SolutionFolder, name + ".cs"));

        var folder = Directory.CreateTempSubdirectory("dendrite-exercise-");
        try
        {
            // The same build settings as in the repository (warnings are errors there), so a copy that passes here
            // also passes where the learner runs it.
            foreach (var shared in new[] { "Directory.Build.props", "global.json" })
                File.Copy(Path.Combine(root, shared), Path.Combine(folder.FullName, shared));
            var path = Path.Combine(folder.FullName, name + ".cs");

            File.WriteAllLines(path, WithAbsoluteProject(exercise, Path.Combine(root, ExerciseFolder)));
            var (code, stdout, stderr) = DotnetRun.Run(path, release: true);
            Assert.True(code == 1, $"{name} as shipped exited with {code}, expected 1 (not yet):\n{stdout}\n{stderr}");
            Assert.Contains($"exercise {name}: not yet - ", stdout);
            Assert.DoesNotContain($"exercise {name}: passed", stdout);

            File.WriteAllLines(path, WithAbsoluteProject(Splice(name, exercise, solution), Path.Combine(root, ExerciseFolder)));
            (code, stdout, stderr) = DotnetRun.Run(path, release: true);
            Assert.True(code == 0, $"{name} with the reference solution exited with {code}:\n{stdout}\n{stderr}");
            Assert.Contains($"exercise {name}: passed", stdout);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The exercise with the lines between its two markers replaced by <paramref name="solution"/>.</summary>
    internal static string[] Splice(string name, string[] exercise, string solution)
    {
        int begin = Array.FindIndex(exercise, l => l.Trim() == BeginMarker);
        int end = Array.FindIndex(exercise, l => l.Trim() == EndMarker);
        Assert.True(begin >= 0 && end > begin, $"{name}: needs a line '{BeginMarker}' followed by a line '{EndMarker}'");
        Assert.Equal(1, exercise.Count(l => l.Trim() == BeginMarker));
        Assert.Equal(1, exercise.Count(l => l.Trim() == EndMarker));
        return [.. exercise[..(begin + 1)], .. solution.TrimEnd('\r', '\n').Split('\n').Select(l => l.TrimEnd('\r')), .. exercise[end..]];
    }

    /// <summary>The program with its <c>#:project</c> path (relative to <paramref name="folder"/>) made absolute.</summary>
    private static IEnumerable<string> WithAbsoluteProject(IEnumerable<string> lines, string folder) =>
        lines.Select(l => l.StartsWith("#:project ", StringComparison.Ordinal)
            ? "#:project " + Path.GetFullPath(Path.Combine(folder, l["#:project ".Length..].Trim()))
            : l);
}

using Dendrite.Tests.Fuzz;
using SharpFuzz;

// dotnet Dendrite.Fuzz.Harness.dll READER: one fuzz target under afl-fuzz (persistent mode; the input on
// stdin). Without afl (no __AFL_SHM_ID) it runs the target once on the file named by a second argument, so a
// crash found by afl can be replayed: dotnet Dendrite.Fuzz.Harness.dll png crash-file. With "seeds DIR" it
// writes the library-made seed inputs into DIR/READER/.
if (args is ["seeds", var root])
{
    Dendrite.Fuzz.Seeds.Write(root);
    return 0;
}
if (args.Length < 1 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Dendrite.Fuzz.Harness READER [FILE]; READER is one of {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}
if (args.Length > 1)
{
    target(File.ReadAllBytes(args[1]));
    return 0;
}
Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;

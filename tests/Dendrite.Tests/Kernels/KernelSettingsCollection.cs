namespace Dendrite.Tests.Kernels;

/// <summary>
/// Tests that change process-wide kernel settings (thread count, forced portable GEMM) run in this
/// collection, one at a time and never beside other tests that might read the settings mid-change.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelSettingsCollection
{
    public const string Name = "Kernel settings";
}

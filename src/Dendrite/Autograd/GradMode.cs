namespace Dendrite.Autograd;

/// <summary>
/// Whether operations are recorded for differentiation on the current thread. Off inside a
/// <see cref="NoGrad"/> scope (PyTorch's <c>torch.no_grad()</c>) and while a backward pass runs.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static bool disabled;

    /// <summary>True when new operations record nodes.</summary>
    public static bool IsEnabled => !disabled;

    /// <summary>Turns recording off until the returned scope is disposed: <c>using (GradMode.NoGrad()) { ... }</c>.</summary>
    public static Scope NoGrad() => new(enabled: false);

    /// <summary>Turns recording on until the returned scope is disposed (inside a NoGrad scope).</summary>
    public static Scope EnableGrad() => new(enabled: true);

    /// <summary>Restores the previous grad mode when disposed; scopes nest.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly bool previousDisabled;

        internal Scope(bool enabled)
        {
            previousDisabled = disabled;
            disabled = !enabled;
        }

        public void Dispose() => disabled = previousDisabled;
    }
}

using Dendrite.Autograd;
using Dendrite.Tensors;

namespace Dendrite.NN;

// Hooks: code that sees (and may replace) a module's input, output and gradients without changing the
// module, as in PyTorch (register_forward_pre_hook, register_forward_hook, register_full_backward_hook).
// They run only when the module is invoked through Call, PyTorch's __call__; Sequential invokes its
// children that way. Tools such as Insight.Activations are built on them.
public abstract partial class Module
{
    private ModuleHooks? hooks; // made on the first registration, so a module without hooks pays one null test per call

    /// <summary>
    /// Registers <paramref name="hook"/>(module, input) to run before every <see cref="Call"/>, like PyTorch's
    /// <c>register_forward_pre_hook</c>. A hook that returns a tensor replaces the input for the hooks after it
    /// and for <see cref="Forward"/>; one that returns null leaves it. Hooks run in registration order;
    /// those registered or removed while a call is running take effect from the next call. Disposing the
    /// returned handle removes the hook (twice is harmless).
    /// </summary>
    public IDisposable RegisterForwardPreHook(Func<Module, Tensor, Tensor?> hook) => Hooks.Pre.Add(hook);

    /// <summary>
    /// Registers <paramref name="hook"/>(module, input, output) to run after every <see cref="Forward"/> made
    /// through <see cref="Call"/>, like PyTorch's <c>register_forward_hook</c>. The input is the one
    /// <see cref="Forward"/> received (after the pre-hooks). A hook that returns a tensor replaces the output
    /// for the hooks after it and for the caller. Order and removal as for <see cref="RegisterForwardPreHook"/>.
    /// </summary>
    public IDisposable RegisterForwardHook(Func<Module, Tensor, Tensor, Tensor?> hook) => Hooks.Post.Add(hook);

    /// <summary>
    /// Registers <paramref name="hook"/>(module, gradInput, gradOutput), called during a backward pass through
    /// a call of this module made while gradients were recorded, like PyTorch's
    /// <c>register_full_backward_hook</c>: gradOutput is dL/d(output), gradInput dL/d(input) — or null when the
    /// input does not require a gradient (the hook is then called as soon as gradOutput is known). A hook that
    /// returns a tensor (of the input's shape) replaces gradInput for the hooks after it and for the rest of
    /// the backward pass. The gradients must not be changed in place. A module whose <see cref="Forward"/>
    /// changes its input in place cannot be hooked this way.
    /// </summary>
    public IDisposable RegisterFullBackwardHook(Func<Module, Tensor?, Tensor, Tensor?> hook) => Hooks.Backward.Add(hook);

    /// <summary>True when some hook is registered on this module (not counting its children).</summary>
    public bool HasHooks => hooks is { IsEmpty: false };

    private ModuleHooks Hooks
    {
        get
        {
            if (hooks is null) Interlocked.CompareExchange(ref hooks, new ModuleHooks(), null);
            return hooks;
        }
    }

    /// <summary>The three hook lists of one module and the code that runs them around Forward.</summary>
    private sealed class ModuleHooks
    {
        public readonly HookList<Func<Module, Tensor, Tensor?>> Pre = new();
        public readonly HookList<Func<Module, Tensor, Tensor, Tensor?>> Post = new();
        public readonly HookList<Func<Module, Tensor?, Tensor, Tensor?>> Backward = new();

        public bool IsEmpty => Pre.Items.Length == 0 && Post.Items.Length == 0 && Backward.Items.Length == 0;

        public Tensor Run(Module module, Tensor input)
        {
            // Each list is read once: a hook added or removed by a hook changes the next call, not this one.
            foreach (var hook in Pre.Items) input = hook.Hook(module, input) ?? input;
            BackwardHookState? state = null;
            if (Backward.Items is { Length: > 0 } backwardHooks && GradMode.IsEnabled)
            {
                state = new BackwardHookState(module, backwardHooks);
                if (input.RequiresGrad)
                {
                    state.HasInputNode = true;
                    input = input.Detach().WithGradFn(new BackwardHookFunctionBackward(input, state, atOutput: false));
                }
            }
            var output = module.Forward(input);
            foreach (var hook in Post.Items) output = hook.Hook(module, input, output) ?? output;
            if (state is not null && output.RequiresGrad)
                output = output.Detach().WithGradFn(new BackwardHookFunctionBackward(output, state, atOutput: true));
            return output;
        }
    }

    /// <summary>What the two identity nodes of one hooked call share: the gradient of the output, once known.</summary>
    private sealed class BackwardHookState(Module module, HookList<Func<Module, Tensor?, Tensor, Tensor?>>.Entry[] hooks)
    {
        public bool HasInputNode;
        public Tensor? GradOutput;

        public Tensor? Call(Tensor? gradInput, Tensor gradOutput)
        {
            foreach (var hook in hooks)
            {
                var replaced = hook.Hook(module, gradInput, gradOutput);
                if (replaced is null) continue;
                if (gradInput is null)
                    throw new InvalidOperationException(
                        $"{module.GetType().Name}: a full backward hook returned a gradient for an input that does not require one");
                if (replaced.Shape != gradInput.Shape)
                    throw new InvalidOperationException(
                        $"{module.GetType().Name}: a full backward hook returned a gradient of shape {replaced.Shape} for an input of shape {gradInput.Shape}");
                gradInput = replaced;
            }
            return gradInput;
        }
    }

    /// <summary>
    /// An identity op placed on a hooked call's input and output (PyTorch's node of the same name): the
    /// output's node catches dL/d(output) as it passes, the input's node hands dL/d(input) to the hooks.
    /// </summary>
    private sealed class BackwardHookFunctionBackward(Tensor input, BackwardHookState state, bool atOutput) : Node(input)
    {
        // The state keeps dL/d(output) for the input's node, and the hooks are user code.
        internal override bool MayKeepGradients => true;

        protected internal override Tensor?[] Backward(Tensor gradOutput)
        {
            if (atOutput)
            {
                state.GradOutput = gradOutput;
                if (!state.HasInputNode) state.Call(null, gradOutput);
                return [gradOutput];
            }
            var gradOut = state.GradOutput ?? throw new InvalidOperationException(
                "BackwardHookFunctionBackward: a gradient reached the module's input without passing its output");
            return [state.Call(gradOutput, gradOut)];
        }
    }

    /// <summary>
    /// A list of hooks copied on write: a call reads the current array once and runs it, so adding or
    /// removing hooks (from any thread, or from inside a hook) never disturbs a call in progress.
    /// </summary>
    private sealed class HookList<T> where T : class
    {
        private readonly Lock gate = new();

        public Entry[] Items { get; private set; } = [];

        public IDisposable Add(T hook)
        {
            ArgumentNullException.ThrowIfNull(hook);
            var entry = new Entry(hook, this);
            lock (gate) Items = [.. Items, entry];
            return entry;
        }

        private void Remove(Entry entry)
        {
            lock (gate)
            {
                int i = Array.IndexOf(Items, entry);
                if (i >= 0) Items = [.. Items.AsSpan(0, i), .. Items.AsSpan(i + 1)];
            }
        }

        /// <summary>One registration; its own handle, so the same delegate registered twice is two entries.</summary>
        public sealed class Entry(T hook, HookList<T> list) : IDisposable
        {
            public T Hook { get; } = hook;

            public void Dispose() => list.Remove(this);
        }
    }
}

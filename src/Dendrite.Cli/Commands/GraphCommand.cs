using System.CommandLine;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.Serialization;
using Dendrite.Tensors;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite graph --model M --out graph.svg|graph.dot</c>: the autograd graph of one forward pass of a
/// model on one sample (zeros of the model's input shape), drawn by <see cref="GraphView"/>.
/// </summary>
internal static class GraphCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file (.safetensors), spec (.json) or built-in name (lenet5, mlp:256,128, ...)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "File to write: .svg (a picture) or .dot (Graphviz text)", Required = true };
        var leftToRight = new Option<bool>("--left-to-right") { Description = "Lay the graph out from left to right (default: top to bottom)" };
        var inputs = new Option<int?>("--inputs") { Description = "Input size for a built-in MLP name (default 784)" };
        var outputs = new Option<int?>("--outputs") { Description = "Number of outputs for a built-in name (default 10)" };
        var command = new Command("graph", "Draw the computational graph of a model's forward pass (SVG or DOT)") { model, output, leftToRight, inputs, outputs };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            bool dot = path.EndsWith(".dot", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".gv", StringComparison.OrdinalIgnoreCase);
            if (!dot && !path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
                throw new CliException($"{path}: --out must end in .svg or .dot", usage: true);
            string source = parse.GetValue(model)!;
            Sequential net;
            ModelSpec spec;
            if (ModelSource.IsModelFile(source)) (net, spec, _) = ModelSource.Load(source);
            else
            {
                spec = ModelSource.Spec(source, parse.GetValue(inputs) ?? 784, parse.GetValue(outputs) ?? 10);
                // Checked here so that the refusal names the --model argument, not just "model spec".
                spec.CheckMemory(source);
                net = spec.Build(new Generator(0));
            }
            var input = Tensor.Zeros([1, .. spec.Input]);
            input.Name = "input";
            net.Eval(); // as the model is used; in training mode batch norm would want more than one sample
            var result = net.Forward(input);
            var options = new GraphViewOptions { Model = net, LeftToRight = parse.GetValue(leftToRight) };
            string text = dot ? GraphView.ToDot(result, options) : GraphView.ToSvg(result, options);
            AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));
            context.Out.WriteLine($"wrote {path} (graph of one forward pass on an input of shape [1, {string.Join(", ", spec.Input)}])");
            return Program.Success;
        });
        return command;
    }
}

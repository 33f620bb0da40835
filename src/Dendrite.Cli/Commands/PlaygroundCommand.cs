using System.CommandLine;
using System.Diagnostics;
using Dendrite.Playground;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite playground [--port N] [--host H] [--model FILE] [--open]</c>: serves the browser playground
/// (src/Dendrite.Playground) until Ctrl+C. Loopback only unless <c>--host</c> says otherwise.
/// </summary>
internal static class PlaygroundCommand
{
    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port", "-p") { Description = "TCP port (0: any free port)", DefaultValueFactory = _ => 7070 };
        var host = new Option<string>("--host") { Description = "Address to listen on; anything but loopback lets other machines train on yours", DefaultValueFactory = _ => "127.0.0.1" };
        var model = new Option<string?>("--model", "-m") { Description = "Model file for the digit pad (input [1, 28, 28]); default: a LeNet-5 trained at start-up on data/mnist-sample" };
        var open = new Option<bool>("--open") { Description = "Open the page in the default browser" };
        var command = new Command("playground", "Serve the browser playground: watch networks learn, draw digits, step through a graph") { port, host, model, open };
        command.SetAction(parse =>
        {
            int p = parse.GetValue(port);
            if (p is < 0 or > 65535) throw new CliException($"--port must be 0 to 65535, got {p}", usage: true);
            var path = parse.GetValue(model);
            if (path is not null && !File.Exists(path)) throw new CliException($"{path}: no such model file");
            var options = new PlaygroundOptions { Port = p, Host = parse.GetValue(host)!, DigitModelPath = path };
            return Serve(context, options, parse.GetValue(open));
        });
        return command;
    }

    private static int Serve(CliContext context, PlaygroundOptions options, bool open)
    {
        var server = PlaygroundServer.Create(options);
        try
        {
            try
            {
                server.StartAsync(context.Cancellation).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                throw new CliException($"cannot listen on {options.Host}:{options.Port}: {e.Message}");
            }
            string url = server.Address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + "/";
            context.Out.WriteLine($"Dendrite playground: {url}  (Ctrl+C stops it)");
            if (!options.IsLoopback)
                context.Error.WriteLine($"dendrite: warning: listening on {options.Host}: anyone who can reach this machine can use the playground");
            if (open) OpenBrowser(context, url);
            server.WaitForShutdownAsync(context.Cancellation).GetAwaiter().GetResult();
            context.Out.WriteLine("Stopped.");
            return Program.Success;
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static void OpenBrowser(CliContext context, string url)
    {
        try
        {
            Process.Start(new ProcessStartInfo(url) { UseShellExecute = true })?.Dispose();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            context.Error.WriteLine($"dendrite: could not open a browser ({e.Message}); open {url} yourself");
        }
    }
}

using Microsoft.Playwright;

namespace Dendrite.Playground.Tests;

/// <summary>
/// One playground server on a free loopback port (real Kestrel: the browser needs a socket) and one headless
/// Debian chromium driven by Playwright, shared by the browser tests. Playwright's own browser download cannot
/// work here, so it launches /usr/bin/chromium (tools/test.sh installs it) with a fresh profile of its own.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public PlaygroundServer Server { get; private set; } = null!;

    public string Url { get; private set; } = "";

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: the browser tests need Debian's chromium (tools/test.sh installs it: apt-get install chromium)");
        Server = PlaygroundServer.Create(new PlaygroundOptions { Port = 0, DigitDataPath = Repository.Path("data", "mnist-sample") });
        await Server.StartAsync();
        Url = Server.Address + "/";
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A new page (its own context: no shared storage) of the given size.</summary>
    public async Task<IPage> NewPageAsync(int width = 1400, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        // Generous: the machine running the tests may be busy with other work.
        page.SetDefaultTimeout(60_000);
        return page;
    }

    /// <summary>Where screenshots go when DENDRITE_SCREENSHOTS names a folder (docs/images when refreshing them); null otherwise.</summary>
    public static string? ScreenshotFolder => Environment.GetEnvironmentVariable("DENDRITE_SCREENSHOTS") is { Length: > 0 } dir ? dir : null;

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (ScreenshotFolder is { } dir)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(dir, name), FullPage = false });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        Playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }
}

[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;

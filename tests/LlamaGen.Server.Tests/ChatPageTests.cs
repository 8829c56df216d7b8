using LlamaGen.Hosting;
using Microsoft.Playwright;

namespace LlamaGen.Server.Tests;

/// <summary>The web chat page in a real browser: Playwright driving Debian's chromium (Playwright's own download is not used).</summary>
public sealed class ChatPageTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string Chromium = "/usr/bin/chromium";

    private RunningServer Server => shared.Running;

    [Fact]
    public async Task Typing_a_message_streams_the_reply_into_the_page()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: .ci/deps.sh installs Debian's chromium");
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Root in a container: chromium's sandbox needs user namespaces it may not have.
            Args = ["--no-sandbox"],
        });
        IPage page = await browser.NewPageAsync();
        await page.GotoAsync(Server.BaseAddress.ToString());
        Assert.Equal("LlamaGen chat", await page.TitleAsync());

        await page.FillAsync("#system", "You are a llama.");
        await page.FillAsync("#temperature", "0");
        await page.FillAsync("#max-tokens", "12");
        await page.FillAsync("#input", "Hello from the browser");
        await page.ClickAsync("#send");

        // The reply has streamed when the usage chunk has been shown.
        await page.WaitForFunctionAsync("() => document.querySelector('#status').textContent.includes('tokens')", null, new PageWaitForFunctionOptions { Timeout = 15000 });
        string user = await page.InnerTextAsync(".message.user");
        Assert.Equal("Hello from the browser", user);
        string reply = await page.EvalOnSelectorAsync<string>(".message.assistant", "e => e.textContent");
        LocalModel local = Server.Local;
        int[] prompt = Reference.ChatPrompt(local, new Chat.ChatMessage("system", "You are a llama."), new Chat.ChatMessage("user", "Hello from the browser"));
        Assert.Equal(Reference.Text(local, Reference.GreedyAlone(local, prompt, 12)), reply);
        Assert.StartsWith("12 tokens", await page.InnerTextAsync("#status"));
        Assert.True(await page.IsEnabledAsync("#send"));
        Assert.False(await page.IsEnabledAsync("#stop"));
    }

    [Fact]
    public async Task The_stop_button_stops_a_streaming_reply()
    {
        // A context long enough that the reply is still streaming when the button is clicked.
        await using RunningServer server = await RunningServer.StartAsync(parallel: 1, contextLength: 4096);
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        IPage page = await browser.NewPageAsync();
        await page.GotoAsync(server.BaseAddress.ToString());
        await page.FillAsync("#temperature", "0");
        await page.FillAsync("#max-tokens", "100000");
        await page.FillAsync("#input", "Talk until stopped");
        await page.ClickAsync("#send");
        try
        {
            await page.WaitForFunctionAsync("() => document.querySelector('.message.assistant').textContent.length > 0", null, new PageWaitForFunctionOptions { Timeout = 15000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no reply text after 15 s; page: {await page.InnerHTMLAsync("body")}\nlog: {server.Log}");
        }
        await page.ClickAsync("#stop");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').textContent === 'stopped'", null, new PageWaitForFunctionOptions { Timeout = 5000 });
        Assert.True(await page.IsEnabledAsync("#send"));
        // The server dropped the request when the browser aborted the fetch.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await server.MetricAsync("llamagen:requests_processing") != 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the request still ran a second after Stop");
            await Task.Delay(10);
        }
        Assert.True(await server.MetricAsync("llamagen:tokens_predicted_total") < 4000);
    }
}

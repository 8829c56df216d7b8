using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Cli.Tests;

/// <summary>
/// <c>llamagen serve</c> as the command line runs it: a llama2.c checkpoint converted at start, a free port, health, the
/// golden greedy story through <c>/v1/completions</c>, and bad options as one-line errors.
/// </summary>
public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_a_llama2c_checkpoint_answers_the_golden_story_and_stops_on_cancellation()
    {
        var text = new StringWriter { NewLine = "\n" };
        TextWriter log = TextWriter.Synchronized(text);
        var stderr = (log, text);
        using var stop = new CancellationTokenSource();
        Task<int> run = Task.Run(() => Program.Run(
            ["serve", "--model", ReferenceFixtures.Stories260KModel, "--tokenizer", ReferenceFixtures.Stories260KTokenizer, "--port", "0",
             "--threads", "1", "--parallel", "2", "--alias", "stories"],
            new MemoryStream(), TextWriter.Null, log, stop.Token));
        try
        {
            Uri address = await ListeningAddressAsync(stderr, run);
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while ((await http.GetAsync("/health")).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), Read(stderr));
                await Task.Delay(20);
            }

            var golden = GoldenOutput.Load(ReferenceFixtures.Stories260KGolden);
            // An empty prompt is BOS alone: llama2.c's run from BOS.
            string request = $$"""{"model":"stories","prompt":"","temperature":0,"max_tokens":{{golden.Steps}}}""";
            using HttpResponseMessage response = await http.PostAsync("/v1/completions", new StringContent(request, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(golden.ReferenceText, body.GetProperty("choices")[0].GetProperty("text").GetString());
            Assert.Equal("stories", body.GetProperty("model").GetString());
            Assert.Matches(@"POST /v1/completions 200 prompt=1 cached=0 generated=\d+ [0-9.]+ ms", Read(stderr));
        }
        finally
        {
            stop.Cancel();
        }
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("serve: stopping", Read(stderr));
    }

    [Theory]
    [InlineData("--port", "70000", "--port")]
    [InlineData("--parallel", "0", "--parallel")]
    [InlineData("--queue", "-1", "--queue")]
    [InlineData("--threads", "0", "--threads")]
    [InlineData("--host", "not-an-address", "--host")]
    public void Bad_options_are_one_line_errors_naming_the_option(string option, string value, string named)
    {
        var result = CliRunner.Run("serve", "--model", ReferenceFixtures.TinyRandomGguf, "--port", "0", option, value);
        Assert.Contains(named, CliRunner.AssertUserError(result));
    }

    [Fact]
    public void A_missing_model_file_is_a_one_line_error()
    {
        var result = CliRunner.Run("serve", "--model", "/nowhere/model.gguf", "--port", "0");
        Assert.Contains("/nowhere/model.gguf", CliRunner.AssertUserError(result));
    }

    private static async Task<Uri> ListeningAddressAsync((TextWriter, StringWriter) stderr, Task<int> run)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Match match = Regex.Match(Read(stderr), @"listening on (http://\S+/)");
            if (match.Success) return new Uri(match.Groups[1].Value);
            if (run.IsCompleted) Assert.Fail($"serve exited with {await run}: {Read(stderr)}");
            await Task.Delay(10);
        }
        throw new Xunit.Sdk.XunitException($"serve did not listen within 30 s: {Read(stderr)}");
    }

    // TextWriter.Synchronized locks the wrapper it returns: reads take the same lock.
    private static string Read((TextWriter Sync, StringWriter Text) log)
    {
        lock (log.Sync) return log.Text.ToString();
    }
}

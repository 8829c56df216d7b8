using System.Diagnostics;
using LlamaGen.Catalog;
using LlamaGen.Chat;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Sampling;
using LlamaGen.TestSupport;
using LlamaGen.TestSupport.Models;

namespace LlamaGen.Cli.Tests;

/// <summary>
/// <c>llamagen chat</c> in a real pseudo-terminal (tmux): the prompt, the streamed reply equal to the conversation's
/// greedy reply, the statistics line, /save, /reset, /system, /load (a foreign file refused), Ctrl+C stopping a reply
/// that would never end without leaving, and Ctrl+D leaving with exit code 0.
/// </summary>
public sealed class ChatTerminalTests(Stories260KGguf stories) : IClassFixture<Stories260KGguf>
{
    private static readonly string Llamagen = Path.Combine(AppContext.BaseDirectory, "llamagen.dll");

    [Fact]
    public void AConversationInATerminal()
    {
        using var terminal = Terminal.Start($"dotnet {Quote(Llamagen)} chat --model {Quote(stories.Path)} --temp 0 --max-tokens 30 --system {Quote("You tell stories.")}");
        terminal.WaitFor("Ctrl+D leaves", TimeSpan.FromSeconds(60));
        terminal.WaitFor("> ");

        terminal.Type("Once upon a time");
        string screen = terminal.WaitFor("tokens/s, context ");
        string expected = Reply(stories.Path, "You tell stories.", ["Once upon a time"]);
        Assert.Contains("> Once upon a time\n" + expected + "\n[", screen);
        Assert.Matches(@"\[\d+ tokens, [\d.]+ tokens/s, context \d+/512; prompt \d+ new \+ 0 cached", screen);

        string saved = Path.Combine(stories.Directory, "chat.json");
        terminal.Type($"/save {saved}");
        terminal.WaitFor("(saved 3 messages");
        Assert.True(File.Exists(saved) && File.Exists(ChatSessionFile.CachePath(saved)));

        // The second turn reuses the first one's cache: at least the whole first prompt (the reply is re-tokenized from its
        // text, and where that differs from the ids generated, the rest is evaluated again, as llama.cpp's server does).
        terminal.Type("The dog");
        screen = terminal.WaitFor("cached", occurrence: 2);
        Assert.Contains(Reply(stories.Path, "You tell stories.", ["Once upon a time", "The dog"]), screen);
        var turns = System.Text.RegularExpressions.Regex.Matches(screen, @"prompt (\d+) new \+ (\d+) cached");
        int firstPrompt = int.Parse(turns[0].Groups[1].Value);
        Assert.True(int.Parse(turns[1].Groups[2].Value) >= firstPrompt, $"turn 2: {turns[1].Value}, turn 1's prompt: {firstPrompt}");

        terminal.Type("/reset");
        terminal.WaitFor("(conversation reset)");
        terminal.Type("/system You write poems.");
        terminal.WaitFor("(system prompt set)");
        terminal.Type("Rain");
        screen = terminal.WaitFor("cached", occurrence: 3);
        Assert.Contains(Reply(stories.Path, "You write poems.", ["Rain"]), screen);

        terminal.Type($"/load {saved}");
        terminal.WaitFor("(loaded 3 messages");
        terminal.Type("/nonsense");
        terminal.WaitFor("unknown command /nonsense");

        terminal.SendKeys("C-d");
        terminal.WaitFor("EXIT 0");
    }

    [Fact]
    public void CtrlCStopsAReplyAndTheChatGoesOn()
    {
        // The tiny random model never ends its turn, and with the context shifted the reply would run forever.
        using var terminal = Terminal.Start($"dotnet {Quote(Llamagen)} chat --model {Quote(TinyChatGguf.Path)} --temp 0 --ctx-size 256 --context-policy shift --max-tokens -1");
        terminal.WaitFor("Ctrl+D leaves", TimeSpan.FromSeconds(60));
        terminal.WaitFor("> ");
        terminal.Type("Talk");
        // Ctrl+C once the reply is visibly streaming (a fixed sleep raced the model's load on a loaded machine).
        terminal.WaitUntil(screen => StreamedAfter(screen, "> Talk\n") > 80,
            "80 characters of reply", TimeSpan.FromSeconds(60));
        terminal.SendKeys("C-c");
        string screen = terminal.WaitFor("[reply stopped]");
        // Text was streamed before the stop.
        int start = screen.LastIndexOf("> Talk\n", StringComparison.Ordinal);
        int stop = screen.LastIndexOf("[reply stopped]", StringComparison.Ordinal);
        Assert.True(stop - start > 40, $"little streamed before Ctrl+C: {screen[start..stop]}");

        // Still chatting: Ctrl+C at the prompt is only a hint, and commands work.
        terminal.SendKeys("C-c");
        terminal.WaitFor("(Ctrl+D or /exit leaves)");
        string stored = Path.Combine(Path.GetTempPath(), $"llamagen-foreign-{Guid.NewGuid():N}.json");
        File.WriteAllText(stored, "{\"format\": \"llamagen-chat\", \"version\": 1, \"model\": \"someone-else\"}");
        try
        {
            terminal.Type($"/load {stored}");
            terminal.WaitFor("saved with model 'someone-else'");
        }
        finally
        {
            File.Delete(stored);
        }
        terminal.Type("/exit");
        terminal.WaitFor("EXIT 0");
    }

    /// <summary>What the conversation's greedy reply is, computed in-process with the same library the CLI uses.</summary>
    private static string Reply(string model, string system, string[] users)
    {
        using LocalModel local = LocalModel.Load(model, CompiledModels.All, new LocalModelOptions { Threads = 1 });
        using ChatSession session = local.CreateChatSession(systemPrompt: system);
        string reply = "";
        foreach (string user in users)
        {
            var text = new System.Text.StringBuilder();
            foreach (GenerationUpdate update in session.SendAsync(user, new GenerationOptions { MaxNewTokens = 30, Sampling = SamplerOptions.Greedy }).ToBlockingEnumerable())
                text.Append(update.Token.Text);
            reply = text.ToString().TrimStart();
        }
        return reply;
    }

    /// <summary>How many characters the screen shows after the last <paramref name="marker"/> (-1: none yet).</summary>
    private static int StreamedAfter(string screen, string marker)
    {
        int at = screen.LastIndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? -1 : screen.TrimEnd().Length - at - marker.Length;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";

    /// <summary>A tmux session running one command; the screen is read with wrapped lines joined.</summary>
    private sealed class Terminal : IDisposable
    {
        private readonly string name = $"llamagen-test-{Guid.NewGuid():N}";

        public static Terminal Start(string command)
        {
            var terminal = new Terminal();
            // The exit code is printed after the command, and the pane stays for the last read.
            Tmux("new-session", "-d", "-s", terminal.name, "-x", "200", "-y", "200", $"{command}; echo EXIT $?; sleep 600");
            return terminal;
        }

        public void Type(string text)
        {
            Tmux("send-keys", "-t", name, "-l", text);
            Tmux("send-keys", "-t", name, "Enter");
        }

        public void SendKeys(string keys) => Tmux("send-keys", "-t", name, keys);

        public string Screen() => Tmux("capture-pane", "-p", "-J", "-S", "-", "-t", name).Replace("\r", "");

        /// <summary>Waits until the screen shows <paramref name="text"/> (its n-th occurrence) and returns the screen.</summary>
        public string WaitFor(string text, TimeSpan? timeout = null, int occurrence = 1)
        {
            var clock = Stopwatch.StartNew();
            string screen = "";
            while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)))
            {
                screen = Screen();
                int count = 0;
                for (int at = screen.IndexOf(text, StringComparison.Ordinal); at >= 0; at = screen.IndexOf(text, at + text.Length, StringComparison.Ordinal)) count++;
                if (count >= occurrence) return screen;
                Thread.Sleep(50);
            }
            throw new TimeoutException($"'{text}' (occurrence {occurrence}) did not appear; the screen:\n{screen}");
        }

        /// <summary>Waits until <paramref name="done"/> holds for the screen and returns the screen.</summary>
        public string WaitUntil(Func<string, bool> done, string what, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            string screen = "";
            while (clock.Elapsed < timeout)
            {
                screen = Screen();
                if (done(screen)) return screen;
                Thread.Sleep(50);
            }
            throw new TimeoutException($"{what} did not appear; the screen:\n{screen}");
        }

        public void Dispose()
        {
            try { Tmux("kill-session", "-t", name); } catch (InvalidOperationException) { }
        }

        private static string Tmux(params string[] arguments)
        {
            var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in arguments) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', arguments)}: {error}");
            return output;
        }
    }
}

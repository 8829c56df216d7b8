using System.Diagnostics;
using System.Net;

namespace LlamaGen.Server.Tests;

/// <summary>
/// Scale-out as the README describes it: two <c>llamagen serve</c> processes behind nginx (least_conn, retry on
/// error/timeout/503, no buffering), on loopback with a config of the test's own. Both replicas serve; when one is killed
/// (SIGKILL, mid-run) the other serves the rest.
/// </summary>
public sealed class NginxReplicaTests
{
    private const string Nginx = "/usr/sbin/nginx";

    [Fact]
    public async Task Two_replicas_behind_nginx_share_the_load_and_one_survives_the_other()
    {
        Assert.True(File.Exists(Nginx), $"{Nginx} is missing: .ci/deps.sh installs Debian's nginx");
        // Each replica holds 2 + 32 requests, so 32 at once fit in either alone (what failover needs).
        await using ReplicaProcess a = await ReplicaProcess.StartAsync("a", parallel: 2, queue: 32);
        await using ReplicaProcess b = await ReplicaProcess.StartAsync("b", parallel: 2, queue: 32);
        string directory = Directory.CreateTempSubdirectory("llamagen-nginx-").FullName;
        int port = ReplicaProcess.FreePort();
        File.WriteAllText(Path.Combine(directory, "nginx.conf"), Config(directory, port, a.Port, b.Port));
        using Process nginx = Process.Start(new ProcessStartInfo(Nginx, ["-p", directory, "-c", Path.Combine(directory, "nginx.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
            await WaitForAsync(http, nginx, directory);

            var first = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => SendAsync(http, $"Balanced {i}", 60)));
            Assert.All(first, r => Assert.Equal(200, r.Status));
            Assert.Contains(first, r => r.Replica == "a");
            Assert.Contains(first, r => r.Replica == "b");

            // Kill replica a (SIGKILL) while 32 more are in flight; every one is answered (by b, or by a before it died).
            Task<(int Status, string? Replica)>[] second = [.. Enumerable.Range(0, 32).Select(i => SendAsync(http, $"Failover {i}", 60))];
            await Task.WhenAny(second);
            await a.KillAsync();
            var answered = await Task.WhenAll(second);
            // Requests a held when it died are reset; nginx sends them to b again (proxy_next_upstream error non_idempotent).
            Assert.All(answered, r => Assert.Equal(200, r.Status));
            Assert.Contains(answered, r => r.Replica == "b");
            Assert.True(answered.Count(r => r.Replica == "b") > answered.Length / 2, "b should have served most of the requests after a died");

            var after = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => SendAsync(http, $"After {i}", 20)));
            Assert.All(after, r => Assert.Equal((200, "b"), (r.Status, r.Replica)));
        }
        finally
        {
            if (!nginx.HasExited) nginx.Kill();
            await nginx.WaitForExitAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<(int Status, string? Replica)> SendAsync(HttpClient http, string user, int maxTokens)
    {
        try
        {
            using HttpResponseMessage response = await Json.PostAsync(http, "/v1/chat/completions", Json.Chat(user, maxTokens));
            await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, response.Headers.TryGetValues("X-LlamaGen-Replica", out var values) ? values.First() : null);
        }
        catch (HttpRequestException)
        {
            return (0, null);
        }
    }

    /// <summary>The nginx config the README shows, with the test's ports and a temp prefix for pid, logs and buffers.</summary>
    internal static string Config(string directory, int port, int first, int second) => $$"""
        daemon off;
        master_process on;
        worker_processes 1;
        pid {{directory}}/nginx.pid;
        error_log {{directory}}/error.log warn;
        events { worker_connections 512; }
        http {
            access_log {{directory}}/access.log;
            client_body_temp_path {{directory}}/client_body;
            proxy_temp_path {{directory}}/proxy;
            fastcgi_temp_path {{directory}}/fastcgi;
            uwsgi_temp_path {{directory}}/uwsgi;
            scgi_temp_path {{directory}}/scgi;
            upstream llamagen {
                least_conn;
                server 127.0.0.1:{{first}} max_fails=1 fail_timeout=10s;
                server 127.0.0.1:{{second}} max_fails=1 fail_timeout=10s;
            }
            server {
                listen 127.0.0.1:{{port}};
                location / {
                    proxy_pass http://llamagen;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_buffering off;
                    proxy_read_timeout 600s;
                    proxy_next_upstream error timeout http_503 non_idempotent;
                    proxy_next_upstream_tries 2;
                }
            }
        }
        """;

    private static async Task WaitForAsync(HttpClient http, Process nginx, string directory)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (nginx.HasExited)
                throw new Xunit.Sdk.XunitException($"nginx exited with {nginx.ExitCode}: {await nginx.StandardError.ReadToEndAsync()} {ReadLog(directory)}");
            try
            {
                using HttpResponseMessage health = await http.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"nginx did not answer within 10 s: {ReadLog(directory)}");
    }

    private static string ReadLog(string directory)
    {
        string path = Path.Combine(directory, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }
}

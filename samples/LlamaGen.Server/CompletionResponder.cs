using System.Text;
using System.Text.Json;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.Sequences;
using Microsoft.AspNetCore.Http;

namespace LlamaGen.Server;

/// <summary>
/// Runs one generation on the engine and answers in OpenAI's shapes: <c>chat.completion</c> (or <c>text_completion</c>)
/// in one body, or <c>chat.completion.chunk</c> events over SSE. The request's <see cref="HttpContext.RequestAborted"/>
/// is the engine job's cancellation, so a client that goes away frees its slot within one step.
/// </summary>
internal sealed class CompletionResponder(HttpContext context, LocalModel local, ServerOptions options, bool chat)
{
    private readonly string id = ServerSentEvents.NewId(chat ? "chatcmpl-" : "cmpl-");
    private readonly long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private string ObjectName => chat ? "chat.completion" : "text_completion";

    public async Task RunAsync(int[] promptTokens, GenerationParameters parameters)
    {
        CancellationToken aborted = context.RequestAborted;
        // cache_prompt false: a sequence of the request's own, so nothing cached is reused (and nothing it leaves is).
        Sequence? own = parameters.CachePrompt ? null : local.Model.CreateSequence(local.Engine.Options.Sequences);
        EngineJob job;
        try
        {
            job = local.Engine.Start(new GenerationRequest(promptTokens, parameters.Generation) { Sequence = own }, aborted);
        }
        catch (Exception e)
        {
            own?.Dispose();
            throw e switch
            {
                EngineOverloadedException => ApiException.Unavailable(e.Message, options.RetryAfterSeconds),
                ContextLengthException => new ApiException(400, "invalid_request_error", $"{(chat ? "messages" : "prompt")}: {e.Message}", chat ? "messages" : "prompt"),
                _ => e,
            };
        }
        if (own is not null) _ = job.Released.ContinueWith(_ => own.Dispose(), TaskScheduler.Default);

        RequestUsage? usage = context.Features.Get<RequestUsage>();
        if (usage is not null) usage.PromptTokens = promptTokens.Length;
        if (parameters.Stream) await StreamAsync(job, parameters, usage, aborted).ConfigureAwait(false);
        else await RespondAsync(job, usage, aborted).ConfigureAwait(false);
    }

    private async Task RespondAsync(EngineJob job, RequestUsage? usage, CancellationToken aborted)
    {
        var text = new StringBuilder();
        GenerationUpdate last = default;
        try
        {
            await foreach (GenerationUpdate update in job.ReadAllAsync(aborted).ConfigureAwait(false))
            {
                text.Append(update.Token.Text);
                if (update.IsLast) last = update;
                else if (usage is not null) usage.GeneratedTokens++;
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            if (usage is not null) usage.ClientClosed = true;
            return; // the client went away: nobody to answer
        }
        Record(usage, last);
        await JsonResponses.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            Header(writer, ObjectName);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            if (chat)
            {
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                writer.WriteString("content", text.ToString());
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("text", text.ToString());
            }
            writer.WriteNull("logprobs");
            writer.WriteString("finish_reason", GenerationParameters.FinishReason(last.StopReason!.Value));
            writer.WriteEndObject();
            writer.WriteEndArray();
            Usage(writer, last);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task StreamAsync(EngineJob job, GenerationParameters parameters, RequestUsage? usage, CancellationToken aborted)
    {
        HttpResponse response = context.Response;
        try
        {
            await ServerSentEvents.StartAsync(response).ConfigureAwait(false);
            // OpenAI's first chunk names the role and carries no text yet.
            if (chat) await ServerSentEvents.WriteAsync(response, w => Chunk(w, "", role: true, finish: null, parameters.IncludeUsage), aborted).ConfigureAwait(false);
            GenerationUpdate last = default;
            await foreach (GenerationUpdate update in job.ReadAllAsync(aborted).ConfigureAwait(false))
            {
                if (update.IsLast) last = update;
                else if (usage is not null) usage.GeneratedTokens++;
                if (update.Token.Text.Length > 0)
                {
                    string piece = update.Token.Text;
                    await ServerSentEvents.WriteAsync(response, w => Chunk(w, piece, role: false, finish: null, parameters.IncludeUsage), aborted).ConfigureAwait(false);
                }
            }
            Record(usage, last);
            string finish = GenerationParameters.FinishReason(last.StopReason!.Value);
            await ServerSentEvents.WriteAsync(response, w => Chunk(w, null, role: false, finish, parameters.IncludeUsage), aborted).ConfigureAwait(false);
            if (parameters.IncludeUsage)
            {
                await ServerSentEvents.WriteAsync(response, w =>
                {
                    w.WriteStartObject();
                    Header(w, ChunkObjectName);
                    w.WriteStartArray("choices");
                    w.WriteEndArray();
                    Usage(w, last);
                    w.WriteEndObject();
                }, aborted).ConfigureAwait(false);
            }
            await ServerSentEvents.WriteDoneAsync(response, aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (aborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client went away mid-stream; leaving the enumeration already told the engine to drop the request.
            if (usage is not null) usage.ClientClosed = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The headers are sent: the error goes in the stream, as OpenAI's does.
            var error = new ApiException(500, "server_error", e.Message);
            try
            {
                await ServerSentEvents.WriteAsync(response, w => JsonResponses.Error(w, error), aborted).ConfigureAwait(false);
            }
            catch (Exception) when (aborted.IsCancellationRequested)
            {
            }
        }
    }

    private string ChunkObjectName => chat ? "chat.completion.chunk" : "text_completion";

    /// <param name="text">The delta's text; null for the last chunk, whose delta is empty.</param>
    private void Chunk(Utf8JsonWriter writer, string? text, bool role, string? finish, bool includeUsage)
    {
        writer.WriteStartObject();
        Header(writer, ChunkObjectName);
        writer.WriteStartArray("choices");
        writer.WriteStartObject();
        writer.WriteNumber("index", 0);
        if (chat)
        {
            writer.WriteStartObject("delta");
            if (role) writer.WriteString("role", "assistant");
            if (text is not null) writer.WriteString("content", text);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("text", text ?? "");
        }
        writer.WriteNull("logprobs");
        if (finish is null) writer.WriteNull("finish_reason");
        else writer.WriteString("finish_reason", finish);
        writer.WriteEndObject();
        writer.WriteEndArray();
        // With include_usage every chunk carries "usage": null and the extra last one the counts (OpenAI's framing).
        if (includeUsage) writer.WriteNull("usage");
        writer.WriteEndObject();
    }

    private void Header(Utf8JsonWriter writer, string objectName)
    {
        writer.WriteString("id", id);
        writer.WriteString("object", objectName);
        writer.WriteNumber("created", created);
        writer.WriteString("model", options.ModelId);
        writer.WriteString("system_fingerprint", "llamagen");
    }

    private static void Usage(Utf8JsonWriter writer, GenerationUpdate last)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", last.PromptTokens);
        writer.WriteNumber("completion_tokens", last.GeneratedTokens);
        writer.WriteNumber("total_tokens", last.PromptTokens + last.GeneratedTokens);
        writer.WriteStartObject("prompt_tokens_details");
        writer.WriteNumber("cached_tokens", last.CachedPromptTokens);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void Record(RequestUsage? usage, GenerationUpdate last)
    {
        if (usage is null) return;
        usage.PromptTokens = last.PromptTokens;
        usage.CachedTokens = last.CachedPromptTokens;
        usage.GeneratedTokens = last.GeneratedTokens;
    }
}

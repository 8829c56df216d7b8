using System.CommandLine;
using LlamaGen.Inference;
using LlamaGen.Sampling;

namespace LlamaGen.Cli;

/// <summary>
/// The sampling and stopping options <c>generate</c> and <c>chat</c> share. Defaults follow llama.cpp's common sampler
/// (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no repetition penalty over a 64-token window).
/// </summary>
internal sealed class SamplingOptions
{
    public Option<int> MaxTokens { get; }
    public Option<float> Temperature { get; } = new("--temperature", "--temp") { Description = "Sampling temperature; 0 = greedy", DefaultValueFactory = _ => 0.8f };
    public Option<int> TopK { get; } = new("--top-k") { Description = "Keep the K most likely tokens; 0 = off", DefaultValueFactory = _ => 40 };
    public Option<float> TopP { get; } = new("--top-p") { Description = "Nucleus sampling threshold in (0, 1]; 1 = off", DefaultValueFactory = _ => 0.95f };
    public Option<float> MinP { get; } = new("--min-p") { Description = "Drop tokens below min-p x the top probability; 0 = off", DefaultValueFactory = _ => 0.05f };
    public Option<float> RepeatPenalty { get; } = new("--repeat-penalty") { Description = "Penalty for tokens in the last --repeat-last-n; 1 = off", DefaultValueFactory = _ => 1.0f };
    public Option<int> RepeatLastN { get; } = new("--repeat-last-n") { Description = "Tokens the penalties look back over", DefaultValueFactory = _ => 64 };
    public Option<float> FrequencyPenalty { get; } = new("--frequency-penalty") { Description = "Subtracted per occurrence in the window; 0 = off", DefaultValueFactory = _ => 0f };
    public Option<float> PresencePenalty { get; } = new("--presence-penalty") { Description = "Subtracted once for a token in the window; 0 = off", DefaultValueFactory = _ => 0f };
    public Option<ulong?> Seed { get; } = new("--seed", "-s") { Description = "Random seed (default: a random one)" };
    public Option<string[]> Stop { get; } = new("--stop") { Description = "Stop when the text contains this string (repeatable)", AllowMultipleArgumentsPerToken = false };

    /// <param name="defaultMaxTokens">The token limit when none is given; -1: none.</param>
    public SamplingOptions(int defaultMaxTokens)
    {
        MaxTokens = new Option<int>("--max-tokens", "-n")
        {
            Description = "Tokens to generate at most; -1 = until an end-of-generation token or the context is full",
            DefaultValueFactory = _ => defaultMaxTokens,
        };
    }

    public IEnumerable<Option> All => [MaxTokens, Temperature, TopK, TopP, MinP, RepeatPenalty, RepeatLastN, FrequencyPenalty, PresencePenalty, Seed, Stop];

    /// <summary>The options as parsed, checked; a bad value is a <see cref="CliException"/> naming the option.</summary>
    public GenerationOptions Read(ParseResult parse)
    {
        int max = parse.GetValue(MaxTokens);
        if (max < -1) throw new CliException($"--max-tokens must be >= 0, or -1 for no limit (got {max})");
        var options = new GenerationOptions
        {
            MaxNewTokens = max == -1 ? int.MaxValue : max,
            Sampling = new SamplerOptions
            {
                Temperature = parse.GetValue(Temperature),
                TopK = parse.GetValue(TopK),
                TopP = parse.GetValue(TopP),
                MinP = parse.GetValue(MinP),
                RepetitionPenalty = parse.GetValue(RepeatPenalty),
                RepetitionWindow = parse.GetValue(RepeatLastN),
                FrequencyPenalty = parse.GetValue(FrequencyPenalty),
                PresencePenalty = parse.GetValue(PresencePenalty),
                Seed = parse.GetValue(Seed),
            },
            StopStrings = parse.GetValue(Stop) ?? [],
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            string option = e.ParamName switch
            {
                nameof(SamplerOptions.Temperature) => "--temperature",
                nameof(SamplerOptions.TopK) => "--top-k",
                nameof(SamplerOptions.TopP) => "--top-p",
                nameof(SamplerOptions.MinP) => "--min-p",
                nameof(SamplerOptions.RepetitionPenalty) => "--repeat-penalty",
                nameof(SamplerOptions.RepetitionWindow) => "--repeat-last-n",
                nameof(SamplerOptions.FrequencyPenalty) => "--frequency-penalty",
                nameof(SamplerOptions.PresencePenalty) => "--presence-penalty",
                nameof(GenerationOptions.StopStrings) => "--stop",
                _ => e.ParamName ?? "option",
            };
            string got = e is ArgumentOutOfRangeException { ActualValue: { } value } ? $" (got {value})" : "";
            throw new CliException($"{option}: {Program.OneLine(e.Message)}{got}");
        }
        return options;
    }
}

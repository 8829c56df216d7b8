using LlamaGen.Catalog;
using LlamaGen.Compute;
using LlamaGen.Hosting;
using LlamaGen.Inference;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Cli.Tests;

/// <summary>
/// What full slots may cost: <see cref="LocalModel.KvCacheBytesAtMost"/> against the caches the runtime really allocates,
/// and the warning <c>llamagen serve</c> prints when they and the model would not fit in the machine's memory.
/// </summary>
public sealed class ServeMemoryTests
{
    [Theory]
    [InlineData(KvCacheType.F32)]
    [InlineData(KvCacheType.F16)]
    public void The_cache_bound_is_every_slot_holding_a_full_context(KvCacheType type)
    {
        using LocalModel local = LocalModel.Load(ReferenceFixtures.TinyRandomGguf, CompiledModels.All, new LocalModelOptions
        {
            Threads = 1,
            ContextLength = 96,
            KvCacheType = type,
            Engine = new InferenceEngineOptions { MaxParallel = 3 },
        });
        var shape = local.Model.Shape;
        using var one = new KvCache(shape.BlockCount, 96, shape.KvDimension, type);
        Assert.Equal(3 * one.SizeInBytes, local.KvCacheBytesAtMost);
    }

    [Fact]
    public void Slots_that_fit_beside_the_model_give_no_warning()
    {
        Assert.Null(ServeCommand.MemoryWarning(cacheBytes: 16L << 30, modelBytes: 4L << 30, machineBytes: 24L << 30, slots: 4, contextLength: 4096));
        // Unknown machine memory: no guess.
        Assert.Null(ServeCommand.MemoryWarning(cacheBytes: 64L << 30, modelBytes: 4L << 30, machineBytes: 0, slots: 8, contextLength: 4096));
    }

    [Fact]
    public void Slots_that_would_not_fit_are_named_with_what_to_change()
    {
        // Llama 2 7B, 8 slots of 4096 tokens in f32: 1 MiB per token, 32 GiB, on a 24 GiB machine.
        string? warning = ServeCommand.MemoryWarning(cacheBytes: 32L << 30, modelBytes: 3616L << 20, machineBytes: 24L << 30, slots: 8, contextLength: 4096);
        Assert.Equal("8 slots of 4096 tokens need up to 32.0 GiB of KV cache besides the 3.5 GiB model, more than the 24.0 GiB of memory here: " +
                     "lower --parallel or --ctx-size, or use --kv-type f16", warning);
    }
}

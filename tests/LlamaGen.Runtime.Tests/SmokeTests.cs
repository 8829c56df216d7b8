using LlamaGen.Kernels;

namespace LlamaGen.Runtime.Tests;

public class SmokeTests
{
    [Fact]
    public void BestIsaIsSupported() => Assert.True(KernelDispatch.IsSupported(KernelDispatch.Best));
}

using System.ComponentModel;

namespace LlamaGen.Kernels;

/// <summary>
/// The type argument of the generated x86 kernel classes (<c>Avx2Kernels&lt;TVnni&gt;</c>, <c>Avx512Kernels&lt;TVnni&gt;</c>):
/// whether their byte dot products use AVX-VNNI's <c>vpdpbusd</c> (<see cref="WithAvxVnni"/>) or AVX2's
/// <c>vpmaddubsw</c> + <c>vpmaddwd</c> (<see cref="WithoutAvxVnni"/>). The JIT knows <c>AvxVnni.IsSupported</c> when it
/// compiles a kernel, but a NativeAOT binary for x86-64-v3 or v4 does not (AVX-VNNI is in neither level), so a check
/// inside the kernels became a test and branch at every dot product and both paths' registers in every loop: the
/// x86-64-v4 binary prefilled the 7B at 0.56x (Q4_K_M) and 0.78x (Q4_0) the speed of one built for this CPU. As a type argument over a struct the
/// choice is made once, when the kernel table hands out a kernel, and each instantiation is compiled with one path.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IAvxVnniChoice;

/// <summary>The kernels use AVX-VNNI (<see cref="IAvxVnniChoice"/>); they throw where the CPU lacks it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct WithAvxVnni : IAvxVnniChoice;

/// <summary>The kernels use AVX2 only (<see cref="IAvxVnniChoice"/>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct WithoutAvxVnni : IAvxVnniChoice;

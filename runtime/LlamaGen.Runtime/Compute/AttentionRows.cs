using LlamaGen.Sequences;
using LlamaGen.Kernels;
using LlamaGen.Threading;

namespace LlamaGen.Compute;

/// <summary>
/// The attention of a batch's rows (a prompt chunk, or one token of each of several sequences) as <see cref="WorkerPool"/>
/// work. Work row <c>s</c> is score slice <c>s</c> of <c>slices</c>: it attends batch rows <c>s, s + slices, ...</c>
/// (interleaved, so a slice of early positions and one of late positions cost about the same) with its own
/// <c>[headCount][contextLength]</c> scores, so the threads share nothing they write. Each row is
/// <see cref="Attention.Attend"/> as on one thread, so the results do not depend on the thread count. Every row's key and
/// value must be in its cache before this runs.
/// </summary>
public readonly unsafe struct AttentionRows(DecodeBatch batch, int layer, int rows, int slices, float* query, float* attended,
    float* scores, int contextLength, int headCount, int headDimension, int queryDimension, float scoreDivisor) : IRowWork
{
    public void Execute(int rowStart, int rowEnd)
    {
        for (int slice = rowStart; slice < rowEnd; slice++)
        {
            float* sliceScores = scores + (nint)slice * headCount * contextLength;
            for (int i = slice; i < rows; i += slices)
                Attention.Attend(batch.SequenceOf(i).Cache, layer, batch.PositionOf(i), query + (nint)i * queryDimension,
                    attended + (nint)i * queryDimension, sliceScores, contextLength, headCount, headDimension, scoreDivisor);
        }
    }
}

namespace LlamaGen.Kernels;

/// <summary>
/// A piece of work over rows <c>[0, rows)</c> that <see cref="Threading.WorkerPool.Run{TWork}(TWork, int, int)"/> splits into
/// chunks. Implement it on a struct that holds only what one product needs (kernel inputs as pointers), so the pool
/// can run it without boxing or allocating.
/// </summary>
public interface IRowWork
{
    /// <summary>
    /// Processes rows <c>[rowStart, rowEnd)</c>. Called concurrently from several threads with disjoint ranges, so it
    /// must only write state that belongs to those rows. <paramref name="rowStart"/> is a multiple of the row alignment
    /// given to <c>Run</c>; <paramref name="rowEnd"/> is too, unless it is the total row count.
    /// </summary>
    void Execute(int rowStart, int rowEnd);
}

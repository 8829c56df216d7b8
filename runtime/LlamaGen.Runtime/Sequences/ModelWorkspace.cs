using System.ComponentModel;

namespace LlamaGen.Sequences;

/// <summary>
/// The activation buffers a generated model needs to decode up to <see cref="Rows"/> tokens at once, allocated once per
/// <see cref="DecodeBatch"/> (never per step). Each generated model class derives its own; only it reads the buffers.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ModelWorkspace : IDisposable
{
    protected ModelWorkspace(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        Rows = rows;
    }

    /// <summary>Tokens the buffers hold.</summary>
    public int Rows { get; }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~ModelWorkspace() => Free();

    /// <summary>Frees the native buffers; called once, from <see cref="Dispose"/> or the finalizer.</summary>
    protected abstract void Free();
}

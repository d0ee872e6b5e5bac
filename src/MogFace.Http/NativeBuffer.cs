using System.Buffers;
using System.Runtime.InteropServices;
using MogFace.Engine.Inference;

namespace MogFace.Http;

/// <summary>
/// A request body's bytes in native memory, for bodies past what the shared array pool keeps (<see cref="PooledBody"/>):
/// freed the moment the request is done, where a large managed array waits in the large-object heap for the next
/// full collection. Measured in issue 12's soak: the LOH held ~1.5 GB of finished 4–32 MiB body buffers, which was
/// most of the peak RSS. Native blocks this large are mapped and unmapped on their own
/// (<see cref="NativeHeap.MapLargeBlocks"/>), so freeing one gives its pages back, and pages never written are never
/// resident. Growing reallocates in place where it can (mremap on Linux), without a second copy held.
/// </summary>
internal sealed unsafe class NativeBuffer : MemoryManager<byte>
{
    private byte* _pointer;
    private int _length;

    static NativeBuffer() => NativeHeap.MapLargeBlocks();

    public NativeBuffer(int length)
    {
        _pointer = (byte*)NativeMemory.Alloc((nuint)length);
        _length = length;
    }

    public int Length => _length;

    /// <summary>Grows (or shrinks) to <paramref name="length"/> bytes, keeping the bytes both sizes hold.</summary>
    public void Resize(int length)
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        _pointer = (byte*)NativeMemory.Realloc(_pointer, (nuint)length);
        _length = length;
    }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        return new Span<byte>(_pointer, _length);
    }

    /// <remarks>Native memory does not move: pinning is only the pointer.</remarks>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        var pointer = _pointer;
        _pointer = null;
        _length = 0;
        if (pointer is not null)
            NativeMemory.Free(pointer);
    }
}

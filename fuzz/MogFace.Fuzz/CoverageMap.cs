using System.Runtime.InteropServices;

namespace MogFace.Fuzz;

/// <summary>
/// The instrumented assemblies record every branch in <c>SharpFuzz.Common.Trace.SharedMem</c>, which SharpFuzz points
/// at AFL's shared memory only once its loop starts: before that (a target's Prepare loading a model) and without
/// afl-fuzz at all (replaying the corpus, one crash on stdin) they would write through a null pointer. A private map
/// of the same size gives them somewhere to write until SharpFuzz replaces it.
/// </summary>
internal static class CoverageMap
{
    private const int MapSize = 1 << 16; // AFL's MAP_SIZE, which SharpFuzz's instrumentation masks indices to

    public static unsafe void UsePrivate() =>
        SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(MapSize);
}

using System.Runtime.InteropServices;
using MogFace.Engine.Inference;

namespace MogFace.Engine.Tests.Inference;

/// <summary>
/// glibc as <see cref="NativeHeap.MapLargeBlocks"/> sets it: a block under the mapping threshold that a decode frees
/// stays in its arena, so the next decode's block of that size costs no page faults (with glibc's default trim
/// threshold, 128 KiB, each one was given back and faulted in and zeroed again).
/// </summary>
public class NativeHeapTests
{
    [Fact]
    public void Blocks_under_the_mapping_threshold_freed_and_taken_again_cost_no_page_faults()
    {
        Assert.True(OperatingSystem.IsLinux(), "the service and its tests run on Linux (glibc)");
        NativeHeap.MapLargeBlocks();
        const int size = NativeHeap.MappedFromBytes - 64 * 1024, rounds = 20;
        var ones = Enumerable.Repeat((byte)1, size).ToArray();
        long faults = -1;
        // On a thread of its own: page faults are counted per thread, so other tests running meanwhile do not count.
        var thread = new Thread(() =>
        {
            void DecodeLike()
            {
                var block = Marshal.AllocHGlobal(size);
                Marshal.Copy(ones, 0, block, size); // every page written, as a decoder's workspace is
                Marshal.FreeHGlobal(block);
            }
            DecodeLike();
            var before = ThreadMinorFaults();
            for (var i = 0; i < rounds; i++)
                DecodeLike();
            faults = ThreadMinorFaults() - before;
        });
        thread.Start();
        thread.Join();

        // Faulting the block in again each time would be ~240 faults a round (4 KiB pages).
        Assert.InRange(faults, 0, rounds * 10);
    }

    private static long ThreadMinorFaults()
    {
        var usage = new long[18]; // struct rusage: two timevals (4 longs), then ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, …
        Assert.Equal(0, GetRUsage(RUsageThread, usage));
        return usage[8];
    }

    private const int RUsageThread = 1;

    [DllImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static extern int GetRUsage(int who, [Out] long[] usage);
}

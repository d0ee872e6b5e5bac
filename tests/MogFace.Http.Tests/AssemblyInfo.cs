// Lifecycle tests measure latency and memory on a 2-core machine: nothing else may run beside them.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

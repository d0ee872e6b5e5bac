// The servers under test share two cores with the test runner: one test class at a time keeps timings sane.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

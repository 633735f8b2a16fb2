using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// --cpu ClassName [Method ...]: CPU time per operation instead (see CpuTimeBreakdown), for a machine shared with
// other work; naming methods runs only those (e.g. one method under `perf record`).
if (args is ["--cpu", var className, .. var methodNames])
{
    Inflight.Benchmarks.CpuTimeBreakdown.Run(className, methodNames, Console.Out);
    return;
}

// In-process: the generated out-of-process project would inherit the repository's strict build
// settings and take minutes to build on a shared 2-core machine. A short job keeps a full run to a
// few minutes; pass BenchmarkDotNet's own switches (e.g. --job medium) for tighter intervals.
var config = DefaultConfig.Instance
    .AddJob(Job.Default
        .WithWarmupCount(3)
        .WithIterationCount(10)
        .WithToolchain(InProcessEmitToolchain.Instance)
        .AsDefault())
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);

BenchmarkSwitcher.FromAssembly(typeof(Inflight.Benchmarks.TrackerBenchmarks).Assembly).Run(args, config);

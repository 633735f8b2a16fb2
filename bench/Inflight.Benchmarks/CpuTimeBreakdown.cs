using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Inflight.Benchmarks;

/// <summary>
/// <c>--cpu ClassName</c>: runs one benchmark class's methods in a plain loop and reports the process CPU time
/// per operation (median of 5 rounds) and the bytes allocated. On a shared machine BenchmarkDotNet's wall-clock
/// means include the time other processes held the cores; CPU time does not, so the breakdown stays comparable.
/// </summary>
internal static class CpuTimeBreakdown
{
    private const int Rounds = 5;
    private static readonly TimeSpan s_round = TimeSpan.FromMilliseconds(200);

    public static void Run(string className, IReadOnlyCollection<string> methodNames, TextWriter output)
    {
        var type = typeof(CpuTimeBreakdown).Assembly.GetTypes().Single(t => t.Name == className);
        var instance = Activator.CreateInstance(type)!;
        type.GetMethods().SingleOrDefault(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null)?.Invoke(instance, null);
        output.WriteLine($"### {className}: process CPU time per operation (median of {Rounds} rounds), allocated bytes per operation");
        output.WriteLine();
        output.WriteLine("| method | CPU µs/op | allocated B/op |");
        output.WriteLine("|---|--:|--:|");
        // A compiled call discards the result without boxing it, so the allocation figure is the method's own.
        var methods = type.GetMethods()
            .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null && (methodNames.Count == 0 || methodNames.Contains(m.Name)))
            .Select(m => (m.Name, m.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke, Run: Expression.Lambda<Action>(Expression.Call(Expression.Constant(instance), m)).Compile()))
            .ToList();

        // Every method warmed up before any is measured: process CPU time includes the background JIT
        // recompiling hot code, which would otherwise count against the first methods measured.
        foreach (var (_, _, run) in methods)
        {
            WarmUp(run);
        }

        foreach (var (name, perInvoke, run) in methods)
        {
            var (cpu, allocated) = Measure(run);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {cpu / perInvoke:F2} | {allocated / perInvoke:F0} |"));
        }
    }

    /// <summary>Runs the operation for at least 300 ms of CPU and 50 calls; gives the CPU time per call.</summary>
    private static TimeSpan WarmUp(Action operation)
    {
        var start = Environment.CpuUsage.TotalTime;
        var warmups = 0;
        while (warmups < 50 || Environment.CpuUsage.TotalTime - start < TimeSpan.FromMilliseconds(300))
        {
            operation();
            warmups++;
        }

        return (Environment.CpuUsage.TotalTime - start) / warmups;
    }

    private static (double CpuMicroseconds, double AllocatedBytes) Measure(Action operation)
    {
        // Warm up (tiered JIT) and size a round to about 200 ms.
        var perOperation = WarmUp(operation);
        var count = (int)Math.Clamp(s_round.Ticks / (double)Math.Max(perOperation.Ticks, 1), 10, 1_000_000);
        var samples = new double[Rounds];
        double allocated = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var cpu = Environment.CpuUsage.TotalTime;
            for (var i = 0; i < count; i++)
            {
                operation();
            }

            samples[round] = (Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds / count;
            allocated = (GC.GetAllocatedBytesForCurrentThread() - bytes) / (double)count;
        }

        Array.Sort(samples);
        return (samples[Rounds / 2], allocated);
    }
}

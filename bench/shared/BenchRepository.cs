namespace Inflight.Bench;

/// <summary>The repository the benchmarks run from (its artifacts and bench bodies), found above the running binary.</summary>
internal static class BenchRepository
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Inflight.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Inflight.slnx not found above " + AppContext.BaseDirectory);
    }
}

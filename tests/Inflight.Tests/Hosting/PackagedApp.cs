using Inflight.Hosting;
using Inflight.Testing;

namespace Inflight.Tests.Hosting;

/// <summary>
/// Inflight as a user gets it, built once for every process-level test: <c>dotnet publish</c> output, and the
/// <c>dotnet tool</c> packed into a local feed and installed into a temporary tool path. Uses what the test
/// build compiled (<c>--no-build</c>, same configuration); the tool install uses only the local feed and its own
/// package folder (a cached Inflight of the same version would hide a change).
/// </summary>
public sealed class PackagedApp : IAsyncLifetime
{
    private static readonly TimeSpan s_buildTimeout = TimeSpan.FromMinutes(5);

    public string Root { get; } = Directory.CreateTempSubdirectory("inflight-packaged-").FullName;

    public string PublishDirectory => Path.Combine(Root, "publish");

    public string ToolPath => Path.Combine(Root, "tools", "inflight");

    /// <summary>A folder that has nothing to do with the build: where the processes run.</summary>
    public string NewWorkingDirectory() => Directory.CreateTempSubdirectory("inflight-cwd-").FullName;

    /// <summary>The package version, as <c>--version</c> should print it.</summary>
    public static string Version => StartupBlock.Version.Split(' ')[0];

    public async ValueTask InitializeAsync()
    {
        var project = Path.Combine(AcceptanceClients.RepositoryRoot, "src", "Inflight", "Inflight.csproj");

        // artifacts/bin/Inflight.Tests/<configuration>/: the test build compiled Inflight in this configuration already.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name;
        string[] quiet = ["-c", configuration, "--no-build", "--nologo", "-v", "q", "-nodeReuse:false"];
        await ChildProcess.RunAsync(ChildProcess.Dotnet, ["publish", project, "-o", PublishDirectory, .. quiet], Root, s_buildTimeout);

        var feed = Path.Combine(Root, "feed");
        await ChildProcess.RunAsync(ChildProcess.Dotnet, ["pack", project, "-o", feed, .. quiet], Root, s_buildTimeout);

        var nugetConfig = Path.Combine(Root, "nuget.config");
        await File.WriteAllTextAsync(nugetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await ChildProcess.RunAsync(
            ChildProcess.Dotnet,
            ["tool", "install", "Inflight", "--tool-path", Path.Combine(Root, "tools"), "--version", Version, "--configfile", nugetConfig],
            Root,
            s_buildTimeout,
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(Root, "packages") });
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process that has not quite let go of a file: the folder is in the temp directory anyway.
        }

        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PackagedAppCollection : ICollectionFixture<PackagedApp>
{
    public const string Name = "Packaged app";
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Inflight.History.Tests;

/// <summary>
/// Debian's PostgreSQL in a throw-away cluster: initdb into a temp directory, started on a free loopback
/// port (as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses root), stopped
/// and deleted after. test.sh installs the package when it is missing.
/// </summary>
public sealed class TempPostgres : IAsyncLifetime
{
    private string _directory = "";
    private int _databases;

    public int Port { get; private set; }

    public async ValueTask InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("inflight-pg-").FullName;
        var data = Path.Combine(_directory, "data");
        Port = FreeLoopbackPort();
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", $"postgres {_directory}");
        }

        await RunPostgresToolAsync("initdb", $"-D {data} -U postgres --auth=trust --no-sync -E UTF8");
        await RunPostgresToolAsync("pg_ctl", $"-D {data} -w -t 60 -l {Path.Combine(_directory, "log")} -o \"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off\" start");
    }

    /// <summary>A new empty database and its <c>postgres://</c> URL.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "inflight_test_" + Interlocked.Increment(ref _databases);
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE DATABASE " + name, connection);
        await command.ExecuteNonQueryAsync();
        return $"postgres://postgres:unused@127.0.0.1:{Port}/{name}";
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunPostgresToolAsync("pg_ctl", $"-D {Path.Combine(_directory, "data")} -w -m immediate stop");
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunPostgresToolAsync(string tool, string arguments)
    {
        var path = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", tool)).Where(File.Exists).Order(StringComparer.Ordinal).LastOrDefault() ?? tool
            : tool;
        return Environment.UserName == "root"
            ? RunAsync("runuser", $"-u postgres -- {path} {arguments}")
            : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}

using System.Runtime.CompilerServices;

namespace Inflight.Tests.Shared;

/// <summary>
/// Test hosts keep no history unless a test asks for it (with its own INFLIGHT_DATABASE_URL setting):
/// the many gateways a test run starts must not share, lock or leave behind one inflight.db.
/// Linked into every test project that starts the gateway; gateways started as child processes inherit it.
/// </summary>
internal static class HistoryOffByDefault
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("INFLIGHT_DATABASE_URL") is null)
        {
            Environment.SetEnvironmentVariable("INFLIGHT_DATABASE_URL", "none");
        }
    }
}

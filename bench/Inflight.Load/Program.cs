using Inflight.Load;

// inflight-load [options]     runs the load cases and prints a Markdown report
// inflight-load upstream      the zero-delay fake provider (started by the driver as its own process)
// inflight-load soak [opts]    the fault-mix soak: exact totals afterwards (docs/reliability.md)
if (args.Length > 0 && args[0] == "upstream")
{
    return await FakeUpstreamServer.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "soak")
{
    if (!SoakOptions.TryParse(args[1..], out var soakOptions, out var soakError))
    {
        await Console.Error.WriteLineAsync(soakError);
        await Console.Error.WriteLineAsync(SoakOptions.Usage);
        return 2;
    }

    var soak = await SoakDriver.RunAsync(soakOptions, Console.Out);
    return soak.Passed ? 0 : 1;
}

if (!LoadOptions.TryParse(args, out var options, out var error))
{
    await Console.Error.WriteLineAsync(error);
    await Console.Error.WriteLineAsync(LoadOptions.Usage);
    return 2;
}

var report = await LoadDriver.RunAsync(options, Console.Out);
return report.Errors == 0 ? 0 : 1;

using Inflight.Load;

// inflight-load [options]     runs the load cases and prints a Markdown report
// inflight-load upstream      the zero-delay fake provider (started by the driver as its own process)
if (args.Length > 0 && args[0] == "upstream")
{
    return await FakeUpstreamServer.RunAsync(args[1..]);
}

if (!LoadOptions.TryParse(args, out var options, out var error))
{
    await Console.Error.WriteLineAsync(error);
    await Console.Error.WriteLineAsync(LoadOptions.Usage);
    return 2;
}

var report = await LoadDriver.RunAsync(options, Console.Out);
return report.Errors == 0 ? 0 : 1;

using System.Globalization;

namespace Inflight.Load;

/// <summary>Command-line options of the load driver.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        Usage: Inflight.Load [--smoke] [--repeat N] [--peer portkey] [--cases a,b] [--out report.md]
                             [--json results.json] [--gateway path/to/Inflight.dll] [--portkey-dir dir]
                             [--held N] [--scale X] [--gateway-env NAME=VALUE]...
          --smoke        a few requests per case (the test suite runs this)
          --repeat N     run every case N times and report medians (default 1)
          --peer portkey also run the non-streaming and streaming cases through Portkey's gateway
          --cases        only cases whose name contains one of these words
          --held N       held-open streams in the held case (default 10000)
          --scale X      multiply request counts (default 1)
          --pause-held S keep the held streams open S more seconds (to attach dotnet-gcdump)
          --gateway-env  an extra environment variable for the gateway process (A/B of runtime settings)
        """;

    public bool Smoke { get; init; }

    public int Repeat { get; init; } = 1;

    public bool Portkey { get; init; }

    public string? PortkeyDir { get; init; }

    public IReadOnlyList<string> Cases { get; init; } = [];

    public string? OutPath { get; init; }

    public string? JsonPath { get; init; }

    public string? GatewayPath { get; init; }

    public int Held { get; init; } = 10_000;

    public double Scale { get; init; } = 1.0;

    /// <summary>Seconds to keep the held streams open after measuring, to attach dotnet-gcdump or dotnet-counters.</summary>
    public int PauseHeldSeconds { get; init; }

    public IReadOnlyDictionary<string, string> GatewayEnvironment { get; init; } = new Dictionary<string, string>();

    public bool Includes(string caseName)
        => Cases.Count == 0 || Cases.Any(c => caseName.Contains(c, StringComparison.OrdinalIgnoreCase));

    /// <summary>A request count for a case: the full figure, scaled, or a handful in smoke mode.</summary>
    public int Count(int full, int smoke = 6) => Smoke ? smoke : Math.Max(1, (int)(full * Scale));

    /// <summary>Every case also stops at a time cap, so a slow machine never makes a run unbounded.</summary>
    public TimeSpan Cap(double fullSeconds) => TimeSpan.FromSeconds(Smoke ? Math.Min(fullSeconds, 10) : fullSeconds);

    public static bool TryParse(string[] args, out LoadOptions options, out string? error)
    {
        options = new LoadOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            try
            {
                options = arg switch
                {
                    "--smoke" => options with { Smoke = true },
                    "--repeat" => options with { Repeat = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)) },
                    "--peer" => Next() == "portkey" ? options with { Portkey = true } : throw new ArgumentException("only --peer portkey is supported"),
                    "--portkey-dir" => options with { PortkeyDir = Next() },
                    "--cases" => options with { Cases = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                    "--out" => options with { OutPath = Next() },
                    "--json" => options with { JsonPath = Next() },
                    "--gateway" => options with { GatewayPath = Next() },
                    "--held" => options with { Held = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--gateway-env" => options with { GatewayEnvironment = WithVariable(options.GatewayEnvironment, Next()) },
                    "--pause-held" => options with { PauseHeldSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--scale" => options with { Scale = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    _ => throw new ArgumentException($"unknown option '{arg}'"),
                };
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                error = ex.Message;
                return false;
            }
        }

        return true;
    }

    private static Dictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> existing, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--gateway-env needs NAME=VALUE (got '{assignment}')");
        }

        return new Dictionary<string, string>(existing) { [assignment[..equals]] = assignment[(equals + 1)..] };
    }
}

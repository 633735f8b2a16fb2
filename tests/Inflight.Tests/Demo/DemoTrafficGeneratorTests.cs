using System.Net;
using Inflight.Demo;
using Inflight.Protocols;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Inflight.Tests.Demo;

public sealed class DemoTrafficGeneratorTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ExecuteAsync_DemoModeOnKestrel_SendsBothFormatsThroughTheGateway()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("INFLIGHT_DEMO", "true");
            b.UseSetting("DEMO_TRAFFIC_RPS", "40");
        });
        factory.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var stats = factory.Services.GetRequiredService<DemoTrafficStats>();

        // Real requests through the gateway's endpoints to the demo provider, answered successfully in both formats.
        while (true)
        {
            var next = stats.NextChange;
            if (stats.Succeeded(ApiFormat.Anthropic) > 0 && stats.Succeeded(ApiFormat.OpenAI) > 0)
            {
                break;
            }

            await next.WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        }

        Assert.True(stats.Sent(ApiFormat.Anthropic) >= stats.Responded(ApiFormat.Anthropic));
        Assert.True(stats.Sent(ApiFormat.OpenAI) >= stats.Responded(ApiFormat.OpenAI));
        // The generator counts a success when its client has read the whole answer; the gateway records the request a
        // moment later, when its side of the exchange is done. Wait for that record rather than race it.
        var tracker = factory.Services.GetRequiredService<Inflight.Tracking.RequestTracker>();
        bool Recorded(string format) => tracker.GetRecentRequests().Any(r => r.ClientFormat == format && r.Provider == "demo" && r.Status == "success");

        // Fails (cancelled after its safety net) unless the gateway records a successful request in each format.
        await Gateway.FaultTests.WaitUntilAsync(tracker, () => Recorded("anthropic") && Recorded("openai"));
    }

    [Theory]
    [InlineData("INFLIGHT_DEMO", "true", "DEMO_TRAFFIC", "false")]
    [InlineData("INFLIGHT_DEMO", "false", "OPENAI_API_KEY", "sk-test")]
    public async Task ExecuteAsync_TrafficOff_ReturnsWithoutSending(string key1, string value1, string key2, string value2)
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting(key1, value1);
            b.UseSetting(key2, value2);
        });
        using var client = factory.CreateClient();
        var generator = factory.Services.GetServices<IHostedService>().OfType<DemoTrafficGenerator>().Single();

        await generator.ExecuteTask!.WaitAsync(s_timeout, TestContext.Current.CancellationToken);

        var stats = factory.Services.GetRequiredService<DemoTrafficStats>();
        Assert.Equal(0, stats.Sent(ApiFormat.Anthropic) + stats.Sent(ApiFormat.OpenAI));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8082", "http://127.0.0.1:8082/")]
    [InlineData("http://0.0.0.0:8082", "http://127.0.0.1:8082/")]
    [InlineData("http://[::]:5000", "http://[::1]:5000/")]
    [InlineData("http://+:80", "http://127.0.0.1/")]
    [InlineData("http://*:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://localhost:5000", "http://localhost:5000/")]
    public void FindBaseAddress_ListenAddress_MapsToLoopbackUrl(string listen, string expected)
    {
        var server = new AddressOnlyServer(listen);

        Assert.Equal(new Uri(expected), DemoTrafficGenerator.FindBaseAddress(server));
    }

    [Fact]
    public void FindBaseAddress_HttpsAndHttp_PrefersHttp()
    {
        var server = new AddressOnlyServer("https://127.0.0.1:8443", "http://127.0.0.1:8082");

        Assert.Equal(new Uri("http://127.0.0.1:8082/"), DemoTrafficGenerator.FindBaseAddress(server));
    }

    private sealed class AddressOnlyServer : IServer
    {
        public AddressOnlyServer(params string[] addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (var address in addresses)
            {
                feature.Addresses.Add(address);
            }

            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }

        private sealed class ServerAddressesFeature : IServerAddressesFeature
        {
            public ICollection<string> Addresses { get; } = [];

            public bool PreferHostingUrls { get; set; }
        }
    }
}

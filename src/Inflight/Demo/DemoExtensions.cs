namespace Inflight.Demo;

internal static class DemoExtensions
{
    public static WebApplicationBuilder AddInflightDemo(this WebApplicationBuilder builder)
    {
        return builder;
    }
}

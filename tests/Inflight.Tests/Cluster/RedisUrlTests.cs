using System.Net;
using Inflight.Cluster;
using StackExchange.Redis;

namespace Inflight.Tests.Cluster;

public sealed class RedisUrlTests
{
    [Fact]
    public void TryParse_HostPortAndDatabase_ConnectsThere()
    {
        Assert.True(RedisUrl.TryParse("redis://10.0.0.5:6380/3", out var options, out _));

        Assert.Equal(("10.0.0.5", 6380), HostAndPort(Assert.Single(options!.EndPoints)));
        Assert.Equal(3, options.DefaultDatabase);
        Assert.False(options.Ssl);
        Assert.Null(options.Password);
    }

    [Fact]
    public void TryParse_NoPortNoDatabase_Uses6379AndDatabase0()
    {
        Assert.True(RedisUrl.TryParse("redis://cache.internal", out var options, out _));

        Assert.Equal(("cache.internal", RedisUrl.DefaultPort), HostAndPort(Assert.Single(options!.EndPoints)));
        Assert.Equal(0, options.DefaultDatabase);
    }

    [Theory]
    [InlineData("redis://:s%40cret@host:6379/0", null, "s@cret")]
    [InlineData("redis://app:s3cret@host:6379/0", "app", "s3cret")]
    [InlineData("redis://s3cret@host", null, "s3cret")]
    public void TryParse_Credentials_UserAndPasswordDecoded(string url, string? user, string password)
    {
        Assert.True(RedisUrl.TryParse(url, out var options, out _));

        Assert.Equal(user, options!.User);
        Assert.Equal(password, options.Password);
    }

    [Fact]
    public void TryParse_Rediss_TurnsOnTlsCheckedAgainstTheHost()
    {
        Assert.True(RedisUrl.TryParse("rediss://default:pw@redis.example.net:6380/0", out var options, out _));

        Assert.True(options!.Ssl);
        Assert.Equal("redis.example.net", options.SslHost);
    }

    [Fact]
    public void TryParse_AnyUrl_NeverBlocksOnRedis()
    {
        Assert.True(RedisUrl.TryParse("redis://127.0.0.1:6379/0", out var options, out _));

        Assert.False(options!.AbortOnConnectFail);
        Assert.Equal(BacklogPolicy.FailFast, options.BacklogPolicy);
    }

    [Theory]
    [InlineData("http://host:6379", "must be redis://")]
    [InlineData("host:6379", "must be redis://")]
    [InlineData("redis://host:6379/16", "must name a database number from 0 to 15")]
    [InlineData("redis://host:6379/cache", "must name a database number from 0 to 15")]
    [InlineData("redis://host:6379/0?ssl=true", "must not have a query")]
    public void TryParse_Malformed_SaysWhatIsExpected(string url, string expected)
    {
        Assert.False(RedisUrl.TryParse(url, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    private static (string Host, int Port) HostAndPort(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => (ip.Address.ToString(), ip.Port),
        DnsEndPoint dns => (dns.Host, dns.Port),
        _ => throw new InvalidOperationException(endpoint.ToString()),
    };

    [Theory]
    [InlineData("redis://app:s3cret@host:6379/0", "redis://app:***@host:6379/0")]
    [InlineData("redis://s3cret@host", "redis://***@host")]
    [InlineData("redis://host:6379", "redis://host:6379")]
    public void Redact_Password_IsMasked(string url, string expected)
        => Assert.Equal(expected, RedisUrl.Redact(url));
}

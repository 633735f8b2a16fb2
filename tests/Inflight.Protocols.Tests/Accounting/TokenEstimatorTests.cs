using System.Text;
using Inflight.Protocols.Accounting;

namespace Inflight.Protocols.Tests.Accounting;

public sealed class TokenEstimatorTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 1)]
    [InlineData("Hello world", 3)]
    [InlineData("The quick brown fox jumps over the lazy dog.", 11)]
    [InlineData("你好世界", 4)]
    [InlineData("😀😀", 4)]
    [InlineData("Привет", 3)]
    [InlineData("caf\u00e9 ok", 2)]
    public void EstimateTokens_Text_UsesTheDocumentedWeights(string text, int expected)
        => Assert.Equal(expected, TokenEstimator.EstimateTokens(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void EstimateTokens_EscapedJson_CountsTheEscapedBytes()
        => Assert.Equal(3, TokenEstimator.EstimateTokens("""line\n\u4f60"""u8));
}

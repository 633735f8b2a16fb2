using Inflight.Configuration;

namespace Inflight.Tests.Configuration;

public sealed class DotEnvFileTests
{
    [Fact]
    public void Read_TypicalFile_ParsesQuotesCommentsAndExport()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# providers\nOPENAI_API_KEY=sk-123\nexport ANTHROPIC_API_KEY=\"sk-ant # not a comment\"\nPORT=9000 # trailing comment\n\nBROKEN LINE\n");

            var values = DotEnvFile.Read(path);

            Assert.Equal("sk-123", values["OPENAI_API_KEY"]);
            Assert.Equal("sk-ant # not a comment", values["ANTHROPIC_API_KEY"]);
            Assert.Equal("9000", values["PORT"]);
            Assert.Equal(3, values.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using Microsoft.Extensions.Options;

namespace Inflight.Configuration;

/// <summary>Reports every settings problem found while reading, so start-up fails once with all of them.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
        => options.LoadErrors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.LoadErrors);
}

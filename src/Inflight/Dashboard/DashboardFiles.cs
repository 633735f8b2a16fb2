using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Inflight.Dashboard;

/// <summary>
/// The dashboard's files (<c>wwwroot/</c>), embedded in the assembly so they are found whatever the working
/// directory, and the headers every one of them is sent with.
/// </summary>
internal sealed class DashboardFiles
{
    // AG Grid injects its theme as <style> elements, hence 'unsafe-inline' for styles only; scripts are same-origin files.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Vendored libraries live under a folder named for their version, so a URL's content never changes.</summary>
    private const string VersionedLibraryPrefix = "/lib/";

    public IFileProvider Provider { get; } = new ManifestEmbeddedFileProvider(typeof(DashboardFiles).Assembly, "wwwroot");

    /// <summary>
    /// Dashboard files are revalidated on every load (ETag / Last-Modified make that a 304), so an upgrade shows
    /// at once; versioned libraries are cached for good. Every file gets the same security headers.
    /// </summary>
    public static void ApplyHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers[HeaderNames.CacheControl] = context.Request.Path.StartsWithSegments(VersionedLibraryPrefix.TrimEnd('/'), StringComparison.Ordinal)
            ? "public, max-age=31536000, immutable"
            : "no-cache";
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }
}

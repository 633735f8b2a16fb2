using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Inflight.Dashboard;

/// <summary>Serves <c>wwwroot/dashboard/index.html</c> at <c>/dashboard/</c> with headers that suit a page showing operational data.</summary>
internal static class DashboardPage
{
    // AG Grid injects its theme as <style> elements, hence 'unsafe-inline' for styles only; scripts are same-origin files.
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Routing ignores a trailing slash, so <c>/dashboard</c> lands here too and is redirected: the page's relative URLs need the slash.</summary>
    public static Results<PhysicalFileHttpResult, RedirectHttpResult, NotFound> Serve(HttpContext context, IWebHostEnvironment environment)
    {
        if (!context.Request.Path.Value!.EndsWith('/'))
        {
            return TypedResults.Redirect(context.Request.PathBase + "/dashboard/");
        }

        var file = environment.WebRootFileProvider.GetFileInfo("dashboard/index.html");
        if (!file.Exists || file.PhysicalPath is null)
        {
            return TypedResults.NotFound();
        }

        var headers = context.Response.Headers;
        headers[HeaderNames.CacheControl] = "no-cache";
        ApplySecurityHeaders(headers);
        return TypedResults.PhysicalFile(file.PhysicalPath, "text/html; charset=utf-8");
    }

    public static void ApplySecurityHeaders(IHeaderDictionary headers)
    {
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>
    /// The same headers on every dashboard file and vendored library, whichever URL serves it (the static-asset
    /// endpoints serve <c>/dashboard/index.html</c> too, without going through <see cref="Serve"/>).
    /// </summary>
    public static Task AddSecurityHeadersAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/dashboard") || path.StartsWithSegments("/lib"))
        {
            ApplySecurityHeaders(context.Response.Headers);
        }

        return next(context);
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Inflight.Dashboard;

/// <summary>Serves <c>wwwroot/dashboard/index.html</c> at <c>/dashboard/</c> with the dashboard's headers.</summary>
internal static class DashboardPage
{
    /// <summary>Routing ignores a trailing slash, so <c>/dashboard</c> lands here too and is redirected: the page's relative URLs need the slash.</summary>
    public static Results<FileStreamHttpResult, RedirectHttpResult, NotFound> Serve(HttpContext context, DashboardFiles files)
    {
        if (!context.Request.Path.Value!.EndsWith('/'))
        {
            return TypedResults.Redirect(context.Request.PathBase + "/dashboard/");
        }

        var file = files.Provider.GetFileInfo("dashboard/index.html");
        if (!file.Exists)
        {
            return TypedResults.NotFound();
        }

        DashboardFiles.ApplyHeaders(context);
        var etag = new EntityTagHeaderValue($"\"{file.LastModified.UtcTicks:x}-{file.Length:x}\"");
        return TypedResults.Stream(file.CreateReadStream(), "text/html; charset=utf-8", lastModified: file.LastModified, entityTag: etag);
    }
}

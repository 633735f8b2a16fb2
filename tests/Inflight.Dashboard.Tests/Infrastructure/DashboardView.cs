using Microsoft.Playwright;

namespace Inflight.Dashboard.Tests.Infrastructure;

/// <summary>The dashboard in one browser page, with the locators the tests use and the console problems it logged.</summary>
public sealed class DashboardView(IBrowserContext context, IPage page) : IAsyncDisposable
{
    private readonly List<string> _problems = [];
    private bool _listening;

    public IBrowserContext Context { get; } = context;

    public IPage Page { get; } = page;

    /// <summary>Console errors and warnings, and uncaught exceptions, since the page was created.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    public ILocator ConnectionLabel => Page.Locator("#connection-label");

    public ILocator Connection => Page.Locator("#connection");

    public ILocator ActiveGrid => Page.Locator("#active-grid");

    public ILocator ActiveCount => Page.Locator("#active-count");

    public ILocator Notice => Page.Locator("#notice");

    public ILocator SignInForm => Page.Locator("#signin-form");

    /// <summary>The rendered row of a request in the Active Requests grid.</summary>
    public ILocator ActiveRow(string requestId) => Page.Locator($"#active-grid .ag-row[row-id='{requestId}']");

    public ILocator ActiveCell(string requestId, string colId) => ActiveRow(requestId).Locator($"[col-id='{colId}']");

    public async Task OpenAsync()
    {
        if (!_listening)
        {
            _listening = true;
            Page.Console += (_, message) =>
            {
                if (message.Type is "error" or "warning")
                {
                    lock (_problems)
                    {
                        // The location names the resource, which a failed load's text leaves out.
                        _problems.Add($"{message.Type}: {message.Text} ({message.Location})");
                    }
                }
            };
            Page.PageError += (_, error) =>
            {
                lock (_problems)
                {
                    _problems.Add($"exception: {error}");
                }
            };
        }

        await Page.GotoAsync("/dashboard/");
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
    }
}

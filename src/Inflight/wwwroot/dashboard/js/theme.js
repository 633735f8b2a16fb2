// Light and dark follow the system setting: CSS variables for the page, AG Grid's theme mode
// (data-ag-theme-mode on <body>) for the grids, and a callback for the chart's colours.

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

export function isDark() {
  return darkQuery.matches;
}

/** AG Grid's Quartz theme with our colours for both modes; the mode switches with one attribute. */
export function createGridTheme(agGrid) {
  const shared = {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    fontSize: 13,
    headerFontSize: 12,
    headerFontWeight: 600,
    spacing: 6,
    rowHeight: 38,
    headerHeight: 36,
    wrapperBorderRadius: 10,
    borderRadius: 6,
  };
  return agGrid.themeQuartz
    .withPart(agGrid.colorSchemeVariable)
    .withParams(shared)
    .withParams({
      backgroundColor: '#ffffff',
      foregroundColor: '#1b1f2a',
      headerBackgroundColor: '#f7f8fb',
      headerTextColor: '#667085',
      borderColor: '#e3e6ee',
      rowHoverColor: '#f4f5ff',
      accentColor: '#4f46e5',
      oddRowBackgroundColor: '#ffffff',
    }, 'light')
    .withParams({
      backgroundColor: '#161a23',
      foregroundColor: '#e6e8ee',
      headerBackgroundColor: '#1b2030',
      headerTextColor: '#8d96a8',
      borderColor: '#272d3b',
      rowHoverColor: '#1f2436',
      accentColor: '#818cf8',
      oddRowBackgroundColor: '#161a23',
      browserColorScheme: 'dark',
    }, 'dark');
}

/** Keeps the grid theme mode in step with the system and tells `onChange` (for the chart). */
export function followColourScheme(onChange) {
  const apply = () => {
    document.body.dataset.agThemeMode = darkQuery.matches ? 'dark' : 'light';
    onChange?.(darkQuery.matches);
  };
  apply();
  darkQuery.addEventListener('change', apply);
}

export function chartColours(dark) {
  return {
    series: dark
      ? ['#818cf8', '#34d399', '#fbbf24', '#f472b6']
      : ['#4f46e5', '#12a150', '#d97706', '#db2777'],
    text: dark ? '#e6e8ee' : '#1b1f2a',
    muted: dark ? '#8d96a8' : '#667085',
    border: dark ? '#161a23' : '#ffffff',
  };
}

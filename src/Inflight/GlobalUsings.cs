global using Inflight.Dashboard;
global using Inflight.Demo;
global using Inflight.Gateway;
global using Inflight.Hosting;
global using Inflight.Metrics;
global using Inflight.Security;
global using Inflight.Telemetry;
global using Inflight.HistoryHosting;

# Inflight in a container: build with the .NET SDK, run on the ASP.NET runtime image as a non-root user.
#   docker build -t inflight --build-arg SDK_IMAGE=<.NET 10 SDK image> --build-arg RUNTIME_IMAGE=<ASP.NET Core 10 runtime image> .
#   docker run -p 127.0.0.1:8082:8082 -e PROXY_API_KEY=... -e OPENAI_API_KEY=... -v inflight-data:/data inflight
# See docs/deploy.md. The working directory is the data volume: a .env or inflight.json put there is read.

# The base images are Microsoft's official .NET 10 images (dotnet/sdk:10.0 and dotnet/aspnet:10.0), named with
# the registry you pull them from: the project does not hard-code a registry host.
ARG SDK_IMAGE
ARG RUNTIME_IMAGE

FROM ${SDK_IMAGE} AS build
WORKDIR /src

# Restore first, from the project files only, so a source change does not download the packages again.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Inflight/Inflight.csproj src/Inflight/
COPY src/Inflight.Protocols/Inflight.Protocols.csproj src/Inflight.Protocols/
COPY src/Inflight.Tracking/Inflight.Tracking.csproj src/Inflight.Tracking/
COPY src/Inflight.History/Inflight.History.csproj src/Inflight.History/
RUN dotnet restore src/Inflight/Inflight.csproj

COPY src/ src/
RUN dotnet publish src/Inflight/Inflight.csproj -c Release --no-restore -o /app

FROM ${RUNTIME_IMAGE} AS runtime

# Listen on every interface inside the container; PROXY_API_KEY is then required (or
# INFLIGHT_ALLOW_UNAUTHENTICATED=true), and Inflight refuses to start without one.
ENV HOST=0.0.0.0 \
    PORT=8082 \
    DOTNET_NOLOGO=1

WORKDIR /app
COPY --from=build /app ./

# The image's own non-root user (APP_UID, 1654). /data holds what Inflight writes (the history
# database once it lands) and is where a mounted .env or inflight.json is read from.
USER root
RUN mkdir -p /data && chown "$APP_UID" /data
USER $APP_UID
WORKDIR /data
VOLUME ["/data"]

EXPOSE 8082

# The runtime image has no curl or wget: Inflight asks itself (GET /health on HOST/PORT).
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD ["dotnet", "/app/Inflight.dll", "--health-check"]

ENTRYPOINT ["dotnet", "/app/Inflight.dll"]

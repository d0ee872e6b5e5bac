using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using MogFace.Registry.Telemetry;

namespace MogFace.Http;

public static class TelemetryExtensions
{
    public const string ConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringKey = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Exports the "MogFace" meter (swaps, swap failures and durations, ingestion outcomes, detect latency and
    /// errors) and the "MogFace" traces (<see cref="MogFaceTracing"/>) to Application Insights when
    /// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, where the deployment's alert rules read the metrics as
    /// customMetrics, and over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the other
    /// <c>OTEL_*</c> variables itself). Without either (local runs, tests) nothing is exported.
    /// Entra ID auth (<c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING = Authorization=AAD;ClientId=…</c>) uses the
    /// app's user-assigned identity, so App Insights can keep local (key) auth disabled.
    /// </summary>
    public static IServiceCollection AddMogFaceTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionStringKey];
        var azure = !string.IsNullOrWhiteSpace(connectionString);
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);
        if (!azure && !otlp)
            return services;
        var credential = CredentialFor(configuration[AuthenticationStringKey]);
        void AzureOptions(AzureMonitorExporterOptions o)
        {
            o.ConnectionString = connectionString;
            if (credential is not null)
                o.Credential = credential;
        }
        services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ServiceStats.MeterName);
                if (azure)
                    metrics.AddAzureMonitorMetricExporter(AzureOptions);
                if (otlp)
                    metrics.AddOtlpExporter();
            })
            .WithTracing(tracing =>
            {
                // The request span is the detect span's parent: without it, the default parent-based sampler drops
                // the MogFace spans under ASP.NET Core's unrecorded request activity.
                tracing.AddSource(MogFaceTracing.SourceName).AddAspNetCoreInstrumentation();
                if (azure)
                    tracing.AddAzureMonitorTraceExporter(AzureOptions);
                if (otlp)
                    tracing.AddOtlpExporter();
            });
        return services;
    }

    /// <summary>Null for key-based ingestion; a managed identity for "Authorization=AAD[;ClientId=…]".</summary>
    internal static TokenCredential? CredentialFor(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
            return null;
        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase))
            return null;
        return parts.TryGetValue("ClientId", out var clientId) && !string.IsNullOrWhiteSpace(clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}

using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace MogFace.Core.Telemetry;

public static class TelemetryExtensions
{
    public const string ConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringKey = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// Exports the "MogFace" meter (swaps, swap failures and durations, ingestion outcomes, detect latency and
    /// errors) to Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, where the
    /// deployment's alert rules read them as customMetrics. Without it (local runs, tests) nothing is exported.
    /// Entra ID auth (<c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING = Authorization=AAD;ClientId=…</c>) uses the
    /// app's user-assigned identity, so App Insights can keep local (key) auth disabled.
    /// </summary>
    public static IServiceCollection AddMogFaceTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionStringKey];
        if (string.IsNullOrWhiteSpace(connectionString))
            return services;
        var credential = CredentialFor(configuration[AuthenticationStringKey]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ServiceStats.MeterName)
            .AddAzureMonitorMetricExporter(o =>
            {
                o.ConnectionString = connectionString;
                if (credential is not null)
                    o.Credential = credential;
            }));
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

// Log Analytics workspace + workspace-based Application Insights, both with local (key) auth disabled:
// telemetry is ingested with Entra ID (APPLICATIONINSIGHTS_AUTHENTICATION_STRING + Monitoring Metrics
// Publisher on the component), and queried with Entra ID.

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

param location string = resourceGroup().location
param tags object = {}

@description('Days to keep logs and telemetry.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    retentionInDays: retentionInDays
    sku: {
      name: 'PerGB2018'
    }
    features: {
      disableLocalAuth: true
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
    IngestionMode: 'LogAnalytics'
  }
}

output logAnalyticsWorkspaceId string = logAnalytics.id
output logAnalyticsWorkspaceName string = logAnalytics.name
output applicationInsightsId string = applicationInsights.id
output applicationInsightsName string = applicationInsights.name
// The connection string holds the instrumentation key, an identifier rather than a credential: with
// DisableLocalAuth the endpoint only accepts Entra-authenticated telemetry.
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString

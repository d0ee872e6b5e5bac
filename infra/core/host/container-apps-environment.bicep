// Container Apps environment with workload profiles: the built-in Consumption profile plus one serverless
// GPU profile. A GPU profile can only be added when the environment is created, so changing
// gpuProfileType later means a new environment (azd down + azd up, or a new azd environment).

param name string
param location string = resourceGroup().location
param tags object = {}

@description('Serverless GPU workload profile type.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Name given to the GPU workload profile inside the environment (apps refer to it by this name).')
param gpuProfileName string = 'gpu'

@description('Log Analytics workspace that receives the environment\'s console and system logs.')
param logAnalyticsWorkspaceId string

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // 'azure-monitor' + a diagnostic setting instead of 'log-analytics': the latter needs the workspace's
    // shared key in the template, and the workspace has local auth disabled anyway.
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: gpuProfileName
        workloadProfileType: gpuProfileType
      }
    ]
    zoneRedundant: false
  }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs-to-log-analytics'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output id string = environment.id
output name string = environment.name
output defaultDomain string = environment.properties.defaultDomain
output gpuProfileName string = gpuProfileName

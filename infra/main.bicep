// MogFace Functions on Azure: `azd up` provisions everything below and deploys the GPU image.
//
//   resource group rg-<env>
//   ├─ storage account (weights + models containers; Entra ID only, no shared keys, no public blobs)
//   ├─ Event Grid system topic on it (subscription created by the postdeploy hook, see app/eventgrid.bicep)
//   ├─ Log Analytics + Application Insights (local auth disabled) + alert rules on the app's metrics
//   ├─ container registry (no admin user)
//   ├─ user-assigned identity + role assignments (app/rbac.bicep)
//   └─ Container Apps environment (Consumption + serverless GPU profile)
//      └─ function app: Microsoft.App/containerApps, kind 'functionapp', on the GPU profile
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used in resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region for all resources. It must offer the chosen serverless GPU profile (see docs/deploy.md).')
param location string

@description('Object id of the user or service principal running azd; gets blob data access for uploads. Empty to skip.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Serverless GPU workload profile: T4 (default, cheaper) or A100.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Minimum replicas. 0 = scale to zero (no GPU cost when idle; the pointer watcher only runs on warm replicas). See docs/deploy.md.')
@minValue(0)
@maxValue(30)
param minReplicas int = 1

@description('Maximum replicas (each one is a whole GPU).')
@minValue(1)
@maxValue(30)
param maxReplicas int = 2

@description('ONNX Runtime execution provider (MogFace__ExecutionProvider): cuda on GPU profiles; auto falls back to CPU.')
@allowed([
  'auto'
  'cuda'
  'cpu'
])
param executionProvider string = 'cuda'

@description('Resource id of an existing action group that alerts notify. Empty: alerts only show in the portal.')
param actionGroupId string = ''

@description('Set by azd (SERVICE_FUNCTIONS_RESOURCE_EXISTS): keep the deployed image when re-provisioning.')
param functionsAppExists bool = false

@secure()
@description('The function key for POST /api/detect (x-functions-key or ?code=). Empty: detect refuses every request.')
param functionKey string = ''

@secure()
@description('The admin key for the /api/models routes (it also opens detect). Empty: the admin routes refuse every request.')
param adminKey string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var weightsContainerName = 'weights'
var modelsContainerName = 'models'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    containers: [
      weightsContainerName
      modelsContainerName
    ]
  }
}

module registry 'core/host/container-registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    location: location
    tags: tags
    name: '${abbrs.containerRegistryRegistries}${resourceToken}'
  }
}

module identity 'core/security/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    location: location
    tags: tags
    name: '${abbrs.managedIdentityUserAssignedIdentities}func-${resourceToken}'
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    registryName: registry.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module environment 'core/host/container-apps-environment.bicep' = {
  name: 'container-apps-environment'
  scope: rg
  params: {
    location: location
    tags: tags
    name: '${abbrs.appManagedEnvironments}${resourceToken}'
    gpuProfileType: gpuProfileType
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module functions 'app/functions.bicep' = {
  name: 'functions'
  scope: rg
  params: {
    location: location
    tags: tags
    name: '${abbrs.appContainerApps}func-${resourceToken}'
    environmentId: environment.outputs.id
    workloadProfileName: environment.outputs.gpuProfileName
    workloadProfileType: gpuProfileType
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    registryLoginServer: registry.outputs.loginServer
    storageAccountName: storage.outputs.name
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    weightsContainerName: weightsContainerName
    modelsContainerName: modelsContainerName
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    executionProvider: executionProvider
    exists: functionsAppExists
    functionKey: functionKey
    adminKey: adminKey
  }
  // The image pull (AcrPull) and host storage access must exist before the first revision starts.
  dependsOn: [
    rbac
  ]
}

module eventGrid 'app/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    location: location
    tags: tags
    name: '${abbrs.eventGridDomainsTopics}weights-${resourceToken}'
    storageAccountId: storage.outputs.id
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    namePrefix: '${abbrs.insightsScheduledQueryRules}mogface-${resourceToken}-'
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    actionGroupId: actionGroupId
  }
}

// azd reads these into the environment (.azure/<env>/.env); the postdeploy hook and docs use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = environment.outputs.name
output SERVICE_FUNCTIONS_NAME string = functions.outputs.name
output SERVICE_FUNCTIONS_URI string = functions.outputs.uri
output MOGFACE_URL string = functions.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output MOGFACE_WEIGHTS_CONTAINER string = weightsContainerName
output MOGFACE_MODELS_CONTAINER string = modelsContainerName
output EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output MOGFACE_GPU_PROFILE string = gpuProfileType

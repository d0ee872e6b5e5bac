// The MogFace Functions app: an Azure Functions (dotnet-isolated, net10.0) container running natively on
// Container Apps (kind 'functionapp') on the serverless GPU workload profile.
//
// Scaling trade-off (minReplicas):
//  - Every warm replica polls models/pointer.json (MogFace__PollInterval) and hot-swaps the model, and
//    writes its heartbeat to models/instances/. That watcher only runs while a replica is up: with
//    minReplicas = 0 a pointer change made through the admin API is picked up when the next replica starts.
//  - The Event Grid blob trigger (IngestWeightsEventGrid) and HTTP requests can wake the app from zero, so
//    uploads and detect calls still work at minReplicas = 0 - at the cost of a GPU cold start (image pull,
//    CUDA init, model load + warm-up) on the first request.
//  - minReplicas = 1 keeps one GPU replica billed around the clock (see docs/deploy.md, cost notes).

param name string
param location string = resourceGroup().location
param tags object = {}

@description('Container Apps environment id.')
param environmentId string

@description('Workload profile (in that environment) the app runs on: the GPU profile.')
param workloadProfileName string

@description('Workload profile type of workloadProfileName; picks the replica size.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param workloadProfileType string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (used by AzureWebJobsStorage__clientId and telemetry auth).')
param identityClientId string

@description('Login server of the registry holding the image.')
param registryLoginServer string

@description('Storage account name (host storage and the app containers).')
param storageAccountName string

@secure()
@description('MogFace__FunctionKey (detect). Empty: not set, and the app refuses detect (fail closed).')
param functionKey string = ''

@secure()
@description('MogFace__AdminKey (/api/models routes, and detect). Empty: not set, and the admin routes refuse everything.')
param adminKey string = ''

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Blob container for uploaded weights.')
param weightsContainerName string

@description('Blob container for the model registry.')
param modelsContainerName string

@minValue(0)
@maxValue(30)
param minReplicas int

@minValue(1)
@maxValue(30)
param maxReplicas int

@description('ONNX Runtime execution provider: auto | cuda | cpu.')
@allowed([
  'auto'
  'cuda'
  'cpu'
])
param executionProvider string

@description('How often each replica polls models/pointer.json (TimeSpan).')
param pollInterval string = '00:00:05'

@description('Request body cap for detect, in bytes.')
param maxImageBytes int = 20971520

@description('Decoded image size cap for detect, in pixels.')
param maxImagePixels int = 40000000

@description('True when azd already deployed an image (SERVICE_FUNCTIONS_RESOURCE_EXISTS): keep it on re-provision.')
param exists bool = false

@description('Image used before the first `azd deploy` (the Functions base image: starts, serves no functions).')
param placeholderImage string = 'mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0'

// The container port: the image runs the host as a non-root user on 8080 (infra/Dockerfile).
var targetPort = 8080

// Replica size = the whole serverless GPU slice of the profile.
var replicaSizes = {
  'Consumption-GPU-NC8as-T4': {
    cpu: '8.0'
    memory: '56Gi'
  }
  'Consumption-GPU-NC24-A100': {
    cpu: '24.0'
    memory: '220Gi'
  }
}

module fetchImage 'fetch-container-image.bicep' = {
  name: '${name}-image'
  params: {
    exists: exists
    name: name
  }
}

var image = exists ? fetchImage.outputs.containers[0].image : placeholderImage

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

// Every setting the code reads. Kept in one list so the infra test can compare it with
// local.settings.sample.json (tests/MogFace.Infra.Tests).
var appSettings = [
  // Identity-based host storage: no connection string, no key.
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: storage.properties.primaryEndpoints.blob
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: storage.properties.primaryEndpoints.queue
  }
  {
    name: 'AzureWebJobsStorage__tableServiceUri'
    value: storage.properties.primaryEndpoints.table
  }
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'AzureWebJobsStorage__clientId'
    value: identityClientId
  }
  {
    name: 'FUNCTIONS_WORKER_RUNTIME'
    value: 'dotnet-isolated'
  }
  {
    name: 'MogFace__WeightsContainer'
    value: weightsContainerName
  }
  {
    name: 'MogFace__ModelsContainer'
    value: modelsContainerName
  }
  {
    name: 'MogFace__PollInterval'
    value: pollInterval
  }
  {
    name: 'MogFace__ExecutionProvider'
    value: executionProvider
  }
  {
    name: 'MogFace__CacheDirectory'
    value: '/tmp/mogface-cache'
  }
  {
    name: 'MogFace__MaxImageBytes'
    value: string(maxImageBytes)
  }
  {
    name: 'MogFace__MaxImagePixels'
    value: string(maxImagePixels)
  }
  {
    name: 'MogFace__MaxModelBytes'
    value: '1073741824'
  }
  {
    name: 'MogFace__QualityGate'
    value: 'true'
  }
  {
    name: 'MogFace__AccuracyMargin'
    value: '0.02'
  }
  {
    name: 'MogFace__IntraOpThreads'
    value: '0'
  }
  {
    name: 'MogFace__InterOpThreads'
    value: '0'
  }
  {
    name: 'MogFace__CudaDeviceId'
    value: '0'
  }
  {
    name: 'MogFace__MaxConcurrentDetections'
    value: '0'
  }
  {
    name: 'MogFace__MaxConcurrentRequests'
    value: '0'
  }
  {
    name: 'MogFace__MaxQueuedRequests'
    value: '32'
  }
  {
    name: 'MogFace__SmallRequestBytes'
    value: '1048576'
  }
  {
    name: 'MogFace__MaxBatchBytes'
    value: '67108864'
  }
  {
    name: 'MogFace__LargeImagePixels'
    value: '4000000'
  }
  {
    name: 'MogFace__SmallImagePixels'
    value: '1000000'
  }
  {
    name: 'MogFace__DecodeBudgetPixels'
    value: '0'
  }
  {
    name: 'MogFace__ValidationTimeout'
    value: '00:01:00'
  }
  {
    name: 'MogFace__MaxConcurrentValidations'
    value: '2'
  }
  {
    name: 'MogFace__LoadRetryDelay'
    value: '00:00:02'
  }
  {
    name: 'MogFace__LoadRetryMaxDelay'
    value: '00:02:00'
  }
  {
    name: 'MogFace__IngestionRetries'
    value: '4'
  }
  {
    name: 'MogFace__IngestionRetryDelay'
    value: '00:00:02'
  }
  {
    // /api/health/ready answers 503 once the registry has not answered for this long (the readiness probe).
    name: 'MogFace__RegistryStaleAfter'
    value: '00:02:00'
  }
  {
    // An instance whose last heartbeat is older than this leaves GET /api/models and its heartbeat blob is deleted.
    name: 'MogFace__HeartbeatTtl'
    value: '01:00:00'
  }
  // Canary plans (docs/hot-swap.md): a step's default dwell, how far the canary may fall behind the stable
  // version before it is rolled back, the requests needed to judge, and the window heartbeats report over.
  {
    name: 'MogFace__CanaryDwell'
    value: '00:05:00'
  }
  {
    name: 'MogFace__CanaryErrorMargin'
    value: '0.01'
  }
  {
    name: 'MogFace__CanaryLatencyMargin'
    value: '0.5'
  }
  {
    name: 'MogFace__CanaryMinRequests'
    value: '50'
  }
  {
    name: 'MogFace__CanaryWindow'
    value: '00:05:00'
  }
  {
    // Read by the standalone server's decider; the Functions app decides from its DecideCanaryPlan timer (every 30 s).
    name: 'MogFace__CanaryDecisionInterval'
    value: '00:00:30'
  }
  // Two blob triggers share one handler: in Azure the Event Grid one (can wake the app from zero), the
  // polling one only locally (Azurite has no Event Grid).
  {
    name: 'AzureWebJobs.IngestWeightsBlob.Disabled'
    value: 'true'
  }
  {
    name: 'AzureWebJobs.IngestWeightsEventGrid.Disabled'
    value: 'false'
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: applicationInsightsConnectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'ClientId=${identityClientId};Authorization=AAD'
  }
  // The image's own settings, repeated so that the placeholder image behaves the same way.
  {
    name: 'ASPNETCORE_URLS'
    value: 'http://+:${targetPort}'
  }
  // Used by the Azure SDK (DefaultAzureCredential / ManagedIdentityCredential) in the worker.
  {
    name: 'AZURE_CLIENT_ID'
    value: identityClientId
  }
]

// The product's keys travel as container app secrets, referenced by the env (never as plain values); checked
// in the worker by ApiKeyMiddleware, so the host master key is never needed for model operations.
var keySecrets = concat(
  empty(functionKey) ? [] : [{ name: 'mogface-function-key', value: functionKey }],
  empty(adminKey) ? [] : [{ name: 'mogface-admin-key', value: adminKey }]
)
var keySettings = concat(
  empty(functionKey) ? [] : [{ name: 'MogFace__FunctionKey', secretRef: 'mogface-function-key' }],
  empty(adminKey) ? [] : [{ name: 'MogFace__AdminKey', secretRef: 'mogface-admin-key' }]
)

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: targetPort
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryLoginServer
          identity: identityId
        }
      ]
      secrets: keySecrets
    }
    template: {
      containers: [
        {
          name: 'functions'
          image: image
          env: concat(appSettings, keySettings)
          resources: {
            cpu: json(replicaSizes[workloadProfileType].cpu)
            memory: replicaSizes[workloadProfileType].memory
          }
          // Probes on the app's own routes (src/MogFace.Http/HealthProbesHandler.cs). Liveness asks only
          // whether the process answers, so a replica loading a model or cut off from storage is not restarted.
          // Readiness is 503 while a replica loads the active version or has not reached the registry for
          // MogFace__RegistryStaleAfter (2 min), and 200 while the registry holds no version at all: an unready
          // replica gets no traffic - including the Event Grid webhook and the admin upload that would
          // register the first model - so a fresh deployment must be ready before it has a model.
          // /api/health keeps answering 503 until a model is loaded, as before; it is not a probe.
          // The startup probe covers the Functions host's cold start (up to 110 s) before liveness counts.
          // Functions on Container Apps derives scale rules from the triggers itself.
          probes: [
            {
              type: 'Startup'
              httpGet: { path: '/api/health/live', port: targetPort }
              initialDelaySeconds: 10
              periodSeconds: 10
              failureThreshold: 10
              timeoutSeconds: 3
            }
            {
              type: 'Liveness'
              httpGet: { path: '/api/health/live', port: targetPort }
              periodSeconds: 15
              failureThreshold: 3
              timeoutSeconds: 5
            }
            {
              type: 'Readiness'
              httpGet: { path: '/api/health/ready', port: targetPort }
              periodSeconds: 5
              failureThreshold: 3
              successThreshold: 1
              timeoutSeconds: 3
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
    }
  }
}

output id string = app.id
output name string = app.name
output fqdn string = app.properties.configuration.ingress.fqdn
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'

// Event Grid system topic on the storage account. It feeds the Event Grid-sourced blob trigger
// (IngestWeightsEventGrid, path weights/{name}) - the trigger that can wake the app from zero replicas.
//
// The subscription is NOT created here. Its endpoint is the Functions blob extension webhook:
//   https://<app fqdn>/runtime/webhooks/blobs?functionName=Host.Functions.IngestWeightsEventGrid&code=<key>
// where <key> is the host's `blobs_extension` system key. The host creates that key when the blob
// extension first starts inside the deployed image, so it does not exist at provision time and cannot be
// read by ARM (Container Apps has no listKeys equivalent usable from a template). The azd postdeploy hook
// (infra/scripts/postdeploy.sh) reads it with `az containerapp function keys show --key-type systemKey
// --key-name blobs_extension` and creates the subscription with `az eventgrid system-topic
// event-subscription create` (filter: BlobCreated under /blobServices/default/containers/<weights>/).
// Event Grid validates the webhook with a handshake the blob extension answers, so the app must be running.

param name string
param location string = resourceGroup().location
param tags object = {}

@description('Resource id of the storage account whose blob events are published.')
param storageAccountId string

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storageAccountId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output id string = systemTopic.id
output name string = systemTopic.name

// Registry for the GPU image that `azd deploy` builds and pushes. No admin user: the app pulls with its
// user-assigned identity (AcrPull), azd pushes with the signed-in user's token.

@description('Name of the registry (5-50 alphanumerics).')
@minLength(5)
@maxLength(50)
param name string

param location string = resourceGroup().location
param tags object = {}

@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string = 'Basic'

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output id string = registry.id
output name string = registry.name
output loginServer string = registry.properties.loginServer

// Reads the image a container app runs now, so that `azd provision` after `azd deploy` keeps the deployed
// image instead of resetting it to the placeholder. A separate module on purpose: referencing the app in
// the template that also declares it would make the app depend on itself.

param exists bool
param name string

resource existingApp 'Microsoft.App/containerApps@2025-07-01' existing = if (exists) {
  name: name
}

output containers array = exists ? existingApp!.properties.template.containers : []

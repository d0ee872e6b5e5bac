# azd postdeploy hook (Windows): same steps as postdeploy.sh - see the comments there.
$ErrorActionPreference = 'Stop'

foreach ($name in 'AZURE_RESOURCE_GROUP', 'SERVICE_FUNCTIONS_NAME', 'SERVICE_FUNCTIONS_URI', 'EVENTGRID_SYSTEM_TOPIC_NAME') {
    if (-not [Environment]::GetEnvironmentVariable($name)) { throw "postdeploy: missing $name (run through azd)" }
}
$rg = $env:AZURE_RESOURCE_GROUP
$app = $env:SERVICE_FUNCTIONS_NAME
$uri = $env:SERVICE_FUNCTIONS_URI
$topic = $env:EVENTGRID_SYSTEM_TOPIC_NAME
$weights = if ($env:MOGFACE_WEIGHTS_CONTAINER) { $env:MOGFACE_WEIGHTS_CONTAINER } else { 'weights' }
$waitSeconds = if ($env:MOGFACE_KEY_WAIT_SECONDS) { [int]$env:MOGFACE_KEY_WAIT_SECONDS } else { 900 }

az config set extension.use_dynamic_install=yes_without_prompt *> $null

function Read-BlobsExtensionKey {
    $k = az containerapp function keys show -g $rg -n $app --key-type systemKey --key-name blobs_extension --query value -o tsv 2>$null
    if (-not $k) {
        $k = az containerapp function keys list -g $rg -n $app --key-type systemKey -o tsv `
            --query "blobs_extension || systemKeys.blobs_extension || (keys[?name=='blobs_extension'].value)[0] || ([?name=='blobs_extension'].value)[0]" 2>$null
    }
    return $k
}

Write-Host "postdeploy: waiting for the blobs_extension key of $app"
$deadline = (Get-Date).AddSeconds($waitSeconds)
do {
    try { Invoke-WebRequest -Uri "$uri/api/health" -TimeoutSec 30 -UseBasicParsing | Out-Null } catch { }
    $key = Read-BlobsExtensionKey
    if ($key -and $key -ne 'None') { break }
    if ((Get-Date) -ge $deadline) { throw "postdeploy: no blobs_extension key after $waitSeconds s; check the app logs, then: azd hooks run postdeploy" }
    Start-Sleep -Seconds 15
} while ($true)

$endpoint = "$uri/runtime/webhooks/blobs?functionName=Host.Functions.IngestWeightsEventGrid&code=$key"
az eventgrid system-topic event-subscription create --name ingest-weights --resource-group $rg `
    --system-topic-name $topic --endpoint-type webhook --endpoint $endpoint `
    --included-event-types Microsoft.Storage.BlobCreated `
    --subject-begins-with "/blobServices/default/containers/$weights/blobs/" `
    --max-delivery-attempts 30 --event-ttl 1440 --output none
if ($LASTEXITCODE -ne 0) { throw "postdeploy: creating the Event Grid subscription failed" }
Write-Host "postdeploy: done"

#!/bin/sh
# azd postdeploy hook: subscribes the blob extension webhook of the deployed function app to the storage
# account's Event Grid system topic, so that uploads to weights/ fire IngestWeightsEventGrid (and wake the
# app from zero replicas). Runs after every `azd deploy` / `azd up`; re-running updates the subscription.
#
# Why here and not in Bicep: the webhook needs the host's `blobs_extension` system key, which the
# Functions host creates the first time the blob extension starts inside the deployed image - it does not
# exist at provision time (see infra/app/eventgrid.bicep).
#
# Needs: Azure CLI (az login done by azd), the containerapp extension (installed on first use), and the
# azd environment values below (azd passes them as environment variables).
set -eu

: "${AZURE_RESOURCE_GROUP:?run through azd (azd up / azd deploy) or export the azd env values}"
: "${SERVICE_FUNCTIONS_NAME:?missing SERVICE_FUNCTIONS_NAME}"
: "${SERVICE_FUNCTIONS_URI:?missing SERVICE_FUNCTIONS_URI}"
: "${EVENTGRID_SYSTEM_TOPIC_NAME:?missing EVENTGRID_SYSTEM_TOPIC_NAME}"
weights="${MOGFACE_WEIGHTS_CONTAINER:-weights}"
function_name="IngestWeightsEventGrid"
subscription_name="ingest-weights"
wait_seconds="${MOGFACE_KEY_WAIT_SECONDS:-900}"

command -v az >/dev/null 2>&1 || { echo "postdeploy: the Azure CLI (az) is required" >&2; exit 1; }
az config set extension.use_dynamic_install=yes_without_prompt >/dev/null 2>&1 || true

read_key() {
  # `keys show` first; `keys list` as a fallback (the command group is in preview and its output shape
  # has varied), accepting the shapes seen so far.
  k=$(az containerapp function keys show -g "$AZURE_RESOURCE_GROUP" -n "$SERVICE_FUNCTIONS_NAME" \
        --key-type systemKey --key-name blobs_extension --query value -o tsv 2>/dev/null || true)
  if [ -z "$k" ]; then
    k=$(az containerapp function keys list -g "$AZURE_RESOURCE_GROUP" -n "$SERVICE_FUNCTIONS_NAME" \
          --key-type systemKey -o tsv \
          --query "blobs_extension || systemKeys.blobs_extension || (keys[?name=='blobs_extension'].value)[0] || ([?name=='blobs_extension'].value)[0]" \
          2>/dev/null || true)
  fi
  printf '%s' "$k"
}

echo "postdeploy: waiting for the blobs_extension key of $SERVICE_FUNCTIONS_NAME (GPU replicas can take minutes to start)"
deadline=$(( $(date +%s) + wait_seconds ))
key=""
while :; do
  # A request wakes a scaled-to-zero app; the host creates the key when the blob extension starts.
  curl -fsS -o /dev/null --max-time 30 "$SERVICE_FUNCTIONS_URI/api/health" 2>/dev/null || true
  key=$(read_key)
  [ -n "$key" ] && [ "$key" != "None" ] && break
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "postdeploy: no blobs_extension key after ${wait_seconds}s; is the app running? Check:" >&2
    echo "  az containerapp logs show -g $AZURE_RESOURCE_GROUP -n $SERVICE_FUNCTIONS_NAME --follow" >&2
    echo "  then re-run: azd hooks run postdeploy" >&2
    exit 1
  fi
  sleep 15
done

endpoint="$SERVICE_FUNCTIONS_URI/runtime/webhooks/blobs?functionName=Host.Functions.$function_name&code=$key"

echo "postdeploy: subscribing $function_name to BlobCreated events under $weights/ (system topic $EVENTGRID_SYSTEM_TOPIC_NAME)"
# Create-or-update (PUT). Event Grid validates the endpoint with a handshake that the blob extension answers.
az eventgrid system-topic event-subscription create \
  --name "$subscription_name" \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --system-topic-name "$EVENTGRID_SYSTEM_TOPIC_NAME" \
  --endpoint-type webhook \
  --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/$weights/blobs/" \
  --max-delivery-attempts 30 \
  --event-ttl 1440 \
  --output none

echo "postdeploy: done - upload weights with: az storage blob upload --auth-mode login --account-name \$AZURE_STORAGE_ACCOUNT_NAME -c $weights -f model.onnx -n model.onnx"

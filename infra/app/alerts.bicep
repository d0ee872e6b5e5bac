// Azure Monitor alerts on the service's own telemetry. The app emits System.Diagnostics.Metrics (meter
// 'MogFace') through OpenTelemetry / the Azure Monitor exporter; they land in Application Insights as
// customMetrics rows (name = instrument name; counters: valueSum per export interval; histograms:
// valueCount/valueSum/valueMin/valueMax). Log search alerts (scheduled query rules) on the component
// query that table.

param location string = resourceGroup().location
param tags object = {}

@description('Prefix for the alert rule names.')
param namePrefix string

@description('Resource id of the Application Insights component.')
param applicationInsightsId string

@description('Action group to notify (resource id). Empty: the alerts fire and show in the portal only.')
param actionGroupId string = ''

@description('Evaluation frequency and window of the failure alerts.')
param evaluationFrequency string = 'PT5M'

@description('A swap (download + session + warm-up + switch) slower than this many seconds alerts.')
param slowSwapSeconds int = 60

@description('Detect error rate (percent) above which the error-rate alert fires.')
param detectErrorRatePercent int = 10

@description('Minimum detect calls in the window before the error rate is judged (avoids 1-of-2 alarms).')
param detectMinimumCalls int = 20

var actions = {
  actionGroups: empty(actionGroupId) ? [] : [actionGroupId]
}

var rules = [
  {
    suffix: 'model-swap-or-ingestion-failed'
    displayName: 'MogFace: model swap or weights ingestion failed'
    description: 'A replica failed to load/swap a model version (it keeps serving the old one and retries), or an uploaded weights file was rejected (see models/rejected/<name>.json for the reason).'
    severity: 1
    windowSize: evaluationFrequency
    query: '''
customMetrics
| where name in ('mogface.model.swap_failures', 'mogface.ingestion.rejected')
| summarize failures = sum(valueSum)
'''
    measure: 'failures'
    aggregation: 'Total'
    threshold: 0
  }
  {
    suffix: 'model-swap-slow'
    displayName: 'MogFace: model swap slower than ${slowSwapSeconds} s'
    description: 'mogface.model.swap.duration (seconds) exceeded ${slowSwapSeconds} s on some replica: large weights, slow storage, or a cold GPU.'
    severity: 2
    windowSize: evaluationFrequency
    query: '''
customMetrics
| where name == 'mogface.model.swap.duration'
| summarize slowestSeconds = max(valueMax)
'''
    measure: 'slowestSeconds'
    aggregation: 'Maximum'
    threshold: slowSwapSeconds
  }
  {
    suffix: 'detect-error-rate'
    displayName: 'MogFace: detect error rate over ${detectErrorRatePercent} %'
    description: 'mogface.detect.errors / (successful detections + errors) above ${detectErrorRatePercent} % with at least ${detectMinimumCalls} calls in the window. mogface.detect.duration counts the detections that completed.'
    severity: 2
    windowSize: 'PT15M'
    query: '''
customMetrics
| where name in ('mogface.detect.duration', 'mogface.detect.errors')
| summarize ok = sumif(valueCount, name == 'mogface.detect.duration'), failed = sumif(valueSum, name == 'mogface.detect.errors')
| extend total = ok + failed
| where total >= ${detectMinimumCalls}
| extend errorRatePercent = 100.0 * failed / total
'''
    measure: 'errorRatePercent'
    aggregation: 'Maximum'
    threshold: detectErrorRatePercent
  }
  {
    suffix: 'canary-rolled-back'
    displayName: 'MogFace: a canary plan rolled its canary back'
    description: 'The canary plan decider ended a canary whose error rate or p99 left the margins of the stable version (mogface.canary.decisions, action rollback). The reason is in models/pointer.json under plan.decisions.'
    severity: 2
    windowSize: evaluationFrequency
    query: '''
customMetrics
| where name == 'mogface.canary.decisions' and tostring(customDimensions['action']) == 'rollback'
| summarize rollbacks = sum(valueSum)
'''
    measure: 'rollbacks'
    aggregation: 'Total'
    threshold: 0
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: '${namePrefix}${rule.suffix}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: evaluationFrequency
      windowSize: rule.windowSize
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: replace(rule.query, '\${detectMinimumCalls}', string(detectMinimumCalls))
            timeAggregation: rule.aggregation
            metricMeasureColumn: rule.measure
            operator: 'GreaterThan'
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: actions
    }
  }
]

output alertRuleNames string[] = [for (rule, i) in rules: alertRules[i].name]

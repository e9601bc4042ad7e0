/// k8s.io/api `batch/v1/generated.proto` (batch/v1beta1 CronJobs have the same numbers).
extension ProtoMessage {
  static let job = workload("Job", spec: .jobSpec, status: .jobStatus)
  static let cronJob = workload("CronJob", spec: .cronJobSpec, status: .cronJobStatus)

  static let jobSpec = ProtoMessage("JobSpec", [
    .kept(1, "parallelism", .int), .kept(2, "completions", .int), .kept(3, "activeDeadlineSeconds", .int),
    .field(4, "selector", .message(.labelSelector)), .kept(5, "manualSelector", .bool), .field(6, "template", .message(.podTemplateSpec)),
    .kept(7, "backoffLimit", .int), .kept(8, "ttlSecondsAfterFinished", .int), .kept(9, "completionMode", .string),
    .kept(10, "suspend", .bool), .field(11, "podFailurePolicy", .message(.podFailurePolicy)), .kept(12, "backoffLimitPerIndex", .int),
    .kept(13, "maxFailedIndexes", .int), .kept(14, "podReplacementPolicy", .string), .kept(15, "managedBy", .string),
    .field(16, "successPolicy", .message(.successPolicy)),
  ])

  static let podFailurePolicy = ProtoMessage("PodFailurePolicy", [.list(1, "rules", .message(.podFailurePolicyRule))])

  static let podFailurePolicyRule = ProtoMessage("PodFailurePolicyRule", [
    .kept(1, "action", .string), .field(2, "onExitCodes", .message(.podFailurePolicyOnExitCodes)),
    .list(3, "onPodConditions", .message(.podFailurePolicyOnPodConditions)),
  ])

  static let podFailurePolicyOnExitCodes = ProtoMessage("PodFailurePolicyOnExitCodesRequirement", [
    .kept(1, "containerName", .string), .kept(2, "operator", .string), .list(3, "values", .int),
  ])

  static let podFailurePolicyOnPodConditions = ProtoMessage("PodFailurePolicyOnPodConditionsPattern", [
    .kept(1, "type", .string), .kept(2, "status", .string),
  ])

  static let successPolicy = ProtoMessage("SuccessPolicy", [.list(1, "rules", .message(.successPolicyRule))])

  static let successPolicyRule = ProtoMessage("SuccessPolicyRule", [.kept(1, "succeededIndexes", .string), .kept(2, "succeededCount", .int)])

  static let jobStatus = ProtoMessage("JobStatus", [
    .list(1, "conditions", .message(.jobCondition)), .kept(2, "startTime", .time), .kept(3, "completionTime", .time),
    .field(4, "active", .int), .field(5, "succeeded", .int), .field(6, "failed", .int), .field(7, "completedIndexes", .string),
    .field(8, "uncountedTerminatedPods", .message(.uncountedTerminatedPods)), .kept(9, "ready", .int),
    .kept(10, "failedIndexes", .string), .kept(11, "terminating", .int),
  ])

  static let jobCondition = ProtoMessage("JobCondition", [
    .kept(1, "type", .string), .kept(2, "status", .string), .field(3, "lastProbeTime", .time), .field(4, "lastTransitionTime", .time),
    .field(5, "reason", .string), .field(6, "message", .string),
  ])

  static let uncountedTerminatedPods = ProtoMessage("UncountedTerminatedPods", [.list(1, "succeeded", .string), .list(2, "failed", .string)])

  static let cronJobSpec = ProtoMessage("CronJobSpec", [
    .kept(1, "schedule", .string), .kept(2, "startingDeadlineSeconds", .int), .field(3, "concurrencyPolicy", .string),
    .kept(4, "suspend", .bool), .field(5, "jobTemplate", .message(.jobTemplateSpec)), .kept(6, "successfulJobsHistoryLimit", .int),
    .kept(7, "failedJobsHistoryLimit", .int), .kept(8, "timeZone", .string),
  ])

  static let jobTemplateSpec = ProtoMessage("JobTemplateSpec", [.objectMeta, .field(2, "spec", .message(.jobSpec))])

  static let cronJobStatus = ProtoMessage("CronJobStatus", [
    .list(1, "active", .message(.objectReference)), .kept(4, "lastScheduleTime", .time), .kept(5, "lastSuccessfulTime", .time),
  ])
}

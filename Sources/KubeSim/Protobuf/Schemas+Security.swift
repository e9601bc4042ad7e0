/// k8s.io/api `core/v1/generated.proto`: container and pod security contexts. Nearly every field
/// is a Go pointer, so a `false` or `0` read from the wire is kept (`runAsNonRoot: false`).
extension ProtoMessage {
  static let securityContext = ProtoMessage("SecurityContext", [
    .field(1, "capabilities", .message(.capabilities)), .kept(2, "privileged", .bool),
    .field(3, "seLinuxOptions", .message(.seLinuxOptions)), .kept(4, "runAsUser", .int), .kept(5, "runAsNonRoot", .bool),
    .kept(6, "readOnlyRootFilesystem", .bool), .kept(7, "allowPrivilegeEscalation", .bool), .kept(8, "runAsGroup", .int),
    .kept(9, "procMount", .string), .field(10, "windowsOptions", .message(.windowsSecurityContextOptions)),
    .field(11, "seccompProfile", .message(.seccompProfile)), .field(12, "appArmorProfile", .message(.appArmorProfile)),
  ])

  static let podSecurityContext = ProtoMessage("PodSecurityContext", [
    .field(1, "seLinuxOptions", .message(.seLinuxOptions)), .kept(2, "runAsUser", .int), .kept(3, "runAsNonRoot", .bool),
    .list(4, "supplementalGroups", .int), .kept(5, "fsGroup", .int), .kept(6, "runAsGroup", .int),
    .list(7, "sysctls", .message(.sysctl)), .field(8, "windowsOptions", .message(.windowsSecurityContextOptions)),
    .kept(9, "fsGroupChangePolicy", .string), .field(10, "seccompProfile", .message(.seccompProfile)),
    .field(11, "appArmorProfile", .message(.appArmorProfile)), .kept(12, "supplementalGroupsPolicy", .string),
    .kept(13, "seLinuxChangePolicy", .string),
  ])

  static let capabilities = ProtoMessage("Capabilities", [.list(1, "add", .string), .list(2, "drop", .string)])

  static let seLinuxOptions = ProtoMessage("SELinuxOptions", [
    .field(1, "user", .string), .field(2, "role", .string), .field(3, "type", .string), .field(4, "level", .string),
  ])

  static let windowsSecurityContextOptions = ProtoMessage("WindowsSecurityContextOptions", [
    .kept(1, "gmsaCredentialSpecName", .string), .kept(2, "gmsaCredentialSpec", .string), .kept(3, "runAsUserName", .string),
    .kept(4, "hostProcess", .bool),
  ])

  static let seccompProfile = ProtoMessage("SeccompProfile", [.kept(1, "type", .string), .kept(2, "localhostProfile", .string)])

  static let appArmorProfile = ProtoMessage("AppArmorProfile", [.kept(1, "type", .string), .kept(2, "localhostProfile", .string)])

  static let sysctl = ProtoMessage("Sysctl", [.kept(1, "name", .string), .kept(2, "value", .string)])
}

import KcdJSON
import Testing

@testable import KubeSim

/// Strategic merge patch as kubectl and controllers use it on built-in kinds.
@Suite struct StrategicMergePatchTests {
  private func patched(_ document: String, _ patch: String) throws -> JSON {
    try StrategicMergePatch.apply(JSON.parse(patch), to: JSON.parse(document))
  }

  private func failure(_ document: String, _ patch: String) -> PatchError? {
    do {
      _ = try patched(document, patch)
      return nil
    } catch let error as PatchError {
      return error
    } catch {
      return nil
    }
  }

  private let deployment = #"""
    {"kind":"Deployment","spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
      {"name":"app","image":"nginx:1.0","ports":[{"containerPort":80}]},
      {"name":"side","image":"envoy:1"}]}}}}
    """#

  // MARK: Merge keys

  @Test func kubectlSetImageKeepsTheSibling() throws {
    let result = try patched(
      deployment,
      #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"side"}],"containers":[{"image":"nginx:2.0","name":"app"}]}}}}"#
    )
    let expected = #"""
      {"kind":"Deployment","spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
        {"name":"app","image":"nginx:2.0","ports":[{"containerPort":80}]},
        {"name":"side","image":"envoy:1"}]}}}}
      """#
    #expect(result == (try JSON.parse(expected)))
  }

  @Test func patchingOneContainerWithoutOrderKeepsPositions() throws {
    let result = try patched(deployment, #"{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"envoy:2"}]}}}}"#)
    let containers = result[path: ["spec", "template", "spec", "containers"]]
    #expect(
      containers == (try JSON.parse(#"[{"name":"app","image":"nginx:1.0","ports":[{"containerPort":80}]},{"name":"side","image":"envoy:2"}]"#)))
  }

  @Test func containerEnvMergesByName() throws {
    let result = try patched(
      #"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}}"#,
      #"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"20"},{"name":"C","value":"3"}]}]}}}}"#)
    let env = result[path: ["spec", "template", "spec", "containers"]][0]["env"]
    #expect(env == (try JSON.parse(#"[{"name":"A","value":"1"},{"name":"B","value":"20"},{"name":"C","value":"3"}]"#)))
  }

  @Test func newElementsWithoutSetElementOrderGoFirstLikeTheApiserver() throws {
    // The apiserver orders patch elements ahead of live-only ones it cannot place relative to them.
    let result = try patched(
      #"{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}"#,
      #"{"spec":{"containers":[{"name":"app","env":[{"name":"C","value":"3"}]}]}}"#)
    let env = result["spec"]["containers"][0]["env"]
    #expect(env == (try JSON.parse(#"[{"name":"C","value":"3"},{"name":"A","value":"1"},{"name":"B","value":"2"}]"#)))
  }

  @Test func containerPortsMergeOnContainerPort() throws {
    let result = try patched(
      #"{"kind":"Pod","spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"name":"http"},{"containerPort":9090,"name":"metrics"}]}]}}"#,
      #"{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443,"name":"https"}]}]}}"#)
    let ports = result["spec"]["containers"][0]["ports"]
    let expected = #"""
      [{"containerPort":80,"name":"http","protocol":"TCP"},{"containerPort":443,"name":"https"},{"containerPort":9090,"name":"metrics"}]
      """#
    #expect(ports == (try JSON.parse(expected)))
  }

  @Test func servicePortsMergeOnPort() throws {
    let service = #"{"kind":"Service","spec":{"ports":[{"port":80,"targetPort":8080,"name":"http"}]}}"#
    let result = try patched(service, #"{"spec":{"ports":[{"port":80,"targetPort":9090}]}}"#)
    #expect(result["spec"]["ports"] == (try JSON.parse(#"[{"port":80,"targetPort":9090,"name":"http"}]"#)))
    // A Service port is keyed by `port`, so one without it cannot be merged.
    let error = failure(service, #"{"spec":{"ports":[{"containerPort":80}]}}"#)
    #expect(error == PatchError(kind: .malformed, message: #"map: {"containerPort":80} does not contain declared merge key: port"#))
  }

  @Test func portsOutsideContainersAndServicesAreReplaced() throws {
    let result = try patched(
      #"{"kind":"EndpointSlice","ports":[{"port":80,"name":"a"}]}"#, #"{"ports":[{"port":443}]}"#)
    #expect(result == (try JSON.parse(#"{"kind":"EndpointSlice","ports":[{"port":443}]}"#)))
  }

  @Test func podVolumesAndVolumeMountsMergeOnTheirKeys() throws {
    let result = try patched(
      #"""
      {"kind":"Pod","spec":{"containers":[{"name":"app","volumeMounts":[{"name":"cfg","mountPath":"/etc/cfg"}]}],
        "volumes":[{"name":"cfg","configMap":{"name":"c1"}}]}}
      """#,
      #"""
      {"spec":{"volumes":[{"name":"cfg","configMap":{"name":"c2"}}],
        "containers":[{"name":"app","volumeMounts":[{"mountPath":"/etc/cfg","readOnly":true}]}]}}
      """#)
    let expected = #"""
      {"kind":"Pod","spec":{"containers":[{"name":"app","volumeMounts":[{"name":"cfg","mountPath":"/etc/cfg","readOnly":true}]}],
        "volumes":[{"name":"cfg","configMap":{"name":"c2"}}]}}
      """#
    #expect(result == (try JSON.parse(expected)))
  }

  @Test func cronJobPodTemplateIsFoundAtItsDepth() throws {
    let cronJob = #"""
      {"kind":"CronJob","spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"containers":[
        {"name":"app","image":"job:1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]},
        {"name":"side","image":"side:1"}]}}}}}}
      """#
    let result = try patched(
      cronJob,
      #"{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"job:2","env":[{"name":"X","value":"9"}]}]}}}}}}"#
    )
    let expected = #"""
      {"kind":"CronJob","spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"containers":[
        {"name":"app","image":"job:2","env":[{"name":"X","value":"9"},{"name":"Y","value":"2"}]},
        {"name":"side","image":"side:1"}]}}}}}}
      """#
    #expect(result == (try JSON.parse(expected)))
  }

  @Test func ownerReferencesMergeOnUIDAndConditionsOnType() throws {
    let result = try patched(
      #"""
      {"metadata":{"ownerReferences":[{"uid":"u1","name":"rs-a","controller":true},{"uid":"u2","name":"rs-b"}]},
       "status":{"conditions":[{"type":"Available","status":"False"},{"type":"Progressing","status":"True"}]}}
      """#,
      #"""
      {"metadata":{"ownerReferences":[{"uid":"u2","name":"rs-b2"}]},
       "status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]}}
      """#)
    let expected = #"""
      {"metadata":{"ownerReferences":[{"uid":"u1","name":"rs-a","controller":true},{"uid":"u2","name":"rs-b2"}]},
       "status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"},
                               {"type":"Progressing","status":"True"}]}}
      """#
    #expect(result == (try JSON.parse(expected)))
  }

  @Test func finalizersMergeAsASet() throws {
    let result = try patched(#"{"metadata":{"finalizers":["a","b"]}}"#, #"{"metadata":{"finalizers":["b","c"]}}"#)
    #expect(result == (try JSON.parse(#"{"metadata":{"finalizers":["a","b","c"]}}"#)))
  }

  @Test func listsWithoutAStrategyAreReplaced() throws {
    let result = try patched(
      #"{"spec":{"containers":[{"name":"app","args":["a","b"]}],"tolerations":[{"key":"k1"},{"key":"k2"}]}}"#,
      #"{"spec":{"containers":[{"name":"app","args":["c"]}],"tolerations":[{"key":"k3"}]}}"#)
    #expect(result == (try JSON.parse(#"{"spec":{"containers":[{"name":"app","args":["c"]}],"tolerations":[{"key":"k3"}]}}"#)))
  }

  @Test(arguments: [
    (["spec", "template", "spec", "containers"], ListPatchStrategy.mergeByKey("name")),
    (["spec", "containers"], .mergeByKey("name")),
    (["template", "spec", "ephemeralContainers"], .mergeByKey("name")),
    (["spec", "jobTemplate", "spec", "template", "spec", "initContainers"], .mergeByKey("name")),
    (["spec", "jobTemplate", "spec", "template", "spec", "containers", "env"], .mergeByKey("name")),
    (["spec", "template", "spec", "containers", "ports"], .mergeByKey("containerPort")),
    (["spec", "ports"], .mergeByKey("port")),
    (["spec", "template", "spec", "initContainers", "volumeMounts"], .mergeByKey("mountPath")),
    (["spec", "containers", "volumeDevices"], .mergeByKey("devicePath")),
    (["spec", "template", "spec", "volumes"], .mergeByKey("name")),
    (["spec", "template", "spec", "imagePullSecrets"], .mergeByKey("name")),
    (["spec", "template", "spec", "hostAliases"], .mergeByKey("ip")),
    (["spec", "template", "spec", "topologySpreadConstraints"], .mergeByKey("topologyKey")),
    (["metadata", "finalizers"], .mergeAsSet),
    (["spec", "template", "metadata", "finalizers"], .mergeAsSet),
    (["metadata", "ownerReferences"], .mergeByKey("uid")),
    (["status", "conditions"], .mergeByKey("type")),
    (["spec", "template", "spec", "tolerations"], .replace),
    (["spec", "template", "spec", "containers", "args"], .replace),
    (["spec", "selector", "containers"], .replace),
    (["ports"], .replace),
    (["imagePullSecrets"], .replace),
  ])
  func mergeKeysDependOnPosition(path: [String], strategy: ListPatchStrategy) {
    #expect(StrategicMergeKeys.strategy(forListAt: path) == strategy)
  }

  // MARK: Directives

  @Test func rolloutUndoReplacesTheTemplate() throws {
    let statefulSet = #"""
      {"kind":"StatefulSet","spec":{"replicas":3,"template":{
        "metadata":{"labels":{"app":"web","extra":"x"},"annotations":{"a":"b"}},
        "spec":{"containers":[{"name":"app","image":"web:2"},{"name":"side","image":"s"}]}}}}
      """#
    let result = try patched(
      statefulSet,
      #"{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"web:1"}]}}}}"#
    )
    let expected = #"""
      {"kind":"StatefulSet","spec":{"replicas":3,"template":{"metadata":{"labels":{"app":"web"}},
        "spec":{"containers":[{"name":"app","image":"web:1"}]}}}}
      """#
    #expect(result == (try JSON.parse(expected)))
  }

  @Test func deleteDirectiveRemovesAMap() throws {
    let result = try patched(
      #"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}"#,
      #"{"spec":{"strategy":{"rollingUpdate":{"$patch":"delete"}}}}"#)
    #expect(result == (try JSON.parse(#"{"spec":{"strategy":{"type":"RollingUpdate"}}}"#)))
  }

  @Test func mergeDirectiveIsTheDefault() throws {
    let result = try patched(
      #"{"metadata":{"labels":{"a":"1"}}}"#, #"{"metadata":{"$patch":"merge","labels":{"b":"2"}}}"#)
    #expect(result == (try JSON.parse(#"{"metadata":{"labels":{"a":"1","b":"2"}}}"#)))
  }

  @Test func replaceDirectiveInAListKeepsOnlyThePatchElements() throws {
    let result = try patched(
      deployment, #"{"spec":{"template":{"spec":{"containers":[{"name":"x","image":"x:1"},{"$patch":"replace"}]}}}}"#)
    #expect(result[path: ["spec", "template", "spec", "containers"]] == (try JSON.parse(#"[{"name":"x","image":"x:1"}]"#)))
  }

  @Test func deleteDirectiveInAListRemovesTheKeyedElement() throws {
    let result = try patched(deployment, #"{"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"side"}]}}}}"#)
    #expect(
      result[path: ["spec", "template", "spec", "containers"]]
        == (try JSON.parse(#"[{"name":"app","image":"nginx:1.0","ports":[{"containerPort":80}]}]"#)))
  }

  @Test func rootDirectives() throws {
    #expect(try patched(#"{"a":1,"b":2}"#, #"{"$patch":"replace","c":3}"#) == ["c": 3])
    #expect(try patched(#"{"a":1,"b":2}"#, #"{"$patch":"delete"}"#) == [:])
  }

  @Test func setElementOrderReordersAList() throws {
    let result = try patched(
      #"{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}"#,
      #"{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}}"#)
    #expect(result == (try JSON.parse(#"{"spec":{"containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}}"#)))
  }

  @Test func setElementOrderPlacesNewAndLiveElements() throws {
    // apimachinery's "merge lists of maps" vector, on container env.
    let result = try patched(
      #"{"spec":{"containers":[{"name":"app","env":[{"name":"1","other":"a"},{"name":"2","value":"2","other":"b"}]}]}}"#,
      #"""
      {"spec":{"containers":[{"name":"app",
        "$setElementOrder/env":[{"name":"4"},{"name":"1"},{"name":"2"},{"name":"3"}],
        "env":[{"name":"4","value":"4"},{"name":"3","value":"3"}]}]}}
      """#)
    let expected = #"""
      [{"name":"4","value":"4"},{"name":"1","other":"a"},{"name":"2","value":"2","other":"b"},{"name":"3","value":"3"}]
      """#
    #expect(result["spec"]["containers"][0]["env"] == (try JSON.parse(expected)))
  }

  @Test func setElementOrderSlotsUnnamedLiveElementsByLivePosition() throws {
    // The preserve-order proposal's env example; the apiserver keeps each live-only element
    // ahead of the named ones that followed it in the live list.
    let result = try patched(
      #"""
      {"spec":{"containers":[{"name":"app","env":[{"name":"ENV2","value":"bar"},{"name":"ENV5","value":"server-added-2"},
        {"name":"ENV1","value":"foo"},{"name":"ENV3","value":"baz"},{"name":"ENV4","value":"server-added-1"}]}]}}
      """#,
      #"""
      {"spec":{"containers":[{"name":"app","$setElementOrder/env":[{"name":"ENV1"},{"name":"ENV2"},{"name":"ENV6"}],
        "env":[{"name":"ENV3","$patch":"delete"},{"name":"ENV6","value":"new-env"}]}]}}
      """#)
    let expected = #"""
      [{"name":"ENV5","value":"server-added-2"},{"name":"ENV1","value":"foo"},{"name":"ENV2","value":"bar"},
       {"name":"ENV6","value":"new-env"},{"name":"ENV4","value":"server-added-1"}]
      """#
    #expect(result["spec"]["containers"][0]["env"] == (try JSON.parse(expected)))
  }

  @Test func setElementOrderMustAgreeWithThePatchList() {
    let error = failure(
      #"{"spec":{"containers":[{"name":"1"},{"name":"3"},{"name":"2"}]}}"#,
      #"{"spec":{"$setElementOrder/containers":[{"name":"1"},{"name":"2"},{"name":"3"}],"containers":[{"name":"3","image":"x"},{"name":"1","image":"y"}]}}"#
    )
    #expect(error?.kind == .malformed)
  }

  @Test func deleteFromPrimitiveList() throws {
    let result = try patched(
      #"{"metadata":{"finalizers":["a","b","c"]}}"#, #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["b","c"]}}"#)
    #expect(result == (try JSON.parse(#"{"metadata":{"finalizers":["a"]}}"#)))
  }

  @Test func kubectlApplyRemovesAFinalizerAndKeepsForeignOnes() throws {
    let result = try patched(
      #"{"metadata":{"finalizers":["a","b","c","d"]}}"#,
      #"{"metadata":{"$setElementOrder/finalizers":["a","b"],"$deleteFromPrimitiveList/finalizers":["c"]}}"#)
    #expect(result == (try JSON.parse(#"{"metadata":{"finalizers":["a","b","d"]}}"#)))
  }

  @Test func retainKeysClearsUnlistedFields() throws {
    let result = try patched(
      #"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}"#,
      #"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}"#)
    #expect(result == (try JSON.parse(#"{"spec":{"strategy":{"type":"Recreate"}}}"#)))
  }

  @Test func retainKeysInAVolumeSwitchesItsSource() throws {
    let result = try patched(
      #"{"spec":{"volumes":[{"name":"data","emptyDir":{}},{"name":"cfg","configMap":{"name":"c"}}]}}"#,
      #"{"spec":{"volumes":[{"$retainKeys":["hostPath","name"],"name":"data","hostPath":{"path":"/d"}}]}}"#)
    #expect(
      result == (try JSON.parse(#"{"spec":{"volumes":[{"name":"data","hostPath":{"path":"/d"}},{"name":"cfg","configMap":{"name":"c"}}]}}"#)))
  }

  @Test func nullDeletesAndIsNeverStored() throws {
    let result = try patched(
      #"{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"replicas":3}}"#,
      #"{"metadata":{"labels":{"b":null},"annotations":{"x":null,"y":"1"}},"spec":{"replicas":null}}"#)
    #expect(result == (try JSON.parse(#"{"metadata":{"labels":{"a":"1"},"annotations":{"y":"1"}},"spec":{}}"#)))
  }

  @Test func mismatchedTypesAreReplaced() throws {
    #expect(try patched(#"{"a":[1]}"#, #"{"a":{"b":1}}"#) == ["a": ["b": 1]])
    #expect(try patched(#"{"a":{"b":1}}"#, #"{"a":"s"}"#) == ["a": "s"])
  }

  @Test func kubectlApplyThreeWayPatch() throws {
    let live = #"""
      {"apiVersion":"apps/v1","kind":"Deployment",
       "metadata":{"name":"web","labels":{"app":"web","tier":"old"},
         "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old","deployment.kubernetes.io/revision":"3"}},
       "spec":{"replicas":3,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}},
         "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
           {"name":"app","image":"web:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"resources":{"limits":{"cpu":"1"}}},
           {"name":"side","image":"side:1"}]}}}}
      """#
    let patch = #"""
      {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"},"labels":{"tier":null}},
       "spec":{"replicas":null,"template":{"spec":{
         "$setElementOrder/containers":[{"name":"app"},{"name":"side"}],
         "containers":[{"name":"app","image":"web:2","resources":null,
           "$setElementOrder/env":[{"name":"A"},{"name":"C"}],
           "env":[{"name":"C","value":"3"},{"$patch":"delete","name":"B"}]}]}}}}
      """#
    let expected = #"""
      {"apiVersion":"apps/v1","kind":"Deployment",
       "metadata":{"name":"web","labels":{"app":"web"},
         "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new","deployment.kubernetes.io/revision":"3"}},
       "spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}},
         "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
           {"name":"app","image":"web:2","env":[{"name":"A","value":"1"},{"name":"C","value":"3"}]},
           {"name":"side","image":"side:1"}]}}}}
      """#
    #expect(try patched(live, patch) == (try JSON.parse(expected)))
  }

  @Test func directiveKeysNeverRemainInNewContent() throws {
    let result = try patched(
      #"{"spec":{"containers":[{"name":"app","image":"a"}]}}"#,
      #"""
      {"spec":{"$setElementOrder/initContainers":[{"name":"init"}],
        "initContainers":[{"name":"init","image":"busybox",
          "env":[{"name":"A","value":"1"},{"$patch":"delete","name":"B"}],
          "securityContext":{"$patch":"replace","runAsUser":0}},{"$patch":"replace"}],
        "affinity":{"nodeAffinity":{"$patch":"delete"},"podAffinity":{"$retainKeys":["x"],"x":1}}}}
      """#)
    let expected = #"""
      {"spec":{"containers":[{"name":"app","image":"a"}],
        "initContainers":[{"name":"init","image":"busybox","env":[{"name":"A","value":"1"}],"securityContext":{"runAsUser":0}}],
        "affinity":{"podAffinity":{"x":1}}}}
      """#
    #expect(result == (try JSON.parse(expected)))
    #expect(!result.text.contains("$"))
  }

  @Test func dollarKeysThatAreNotDirectivesAreData() throws {
    let result = try patched(#"{"spec":{}}"#, ##"{"spec":{"schema":{"$ref":"#/x"}}}"##)
    #expect(result == (try JSON.parse(##"{"spec":{"schema":{"$ref":"#/x"}}}"##)))
  }

  // MARK: Hostile input

  @Test func nestingAtTheParserLimitMerges() throws {
    let depth = JSON.maximumDepth - 1
    let document = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
    let patch = String(repeating: #"{"a":"#, count: depth) + "2" + String(repeating: "}", count: depth)
    #expect(try patched(document, patch) == (try JSON.parse(patch)))
  }

  @Test func largeKeyedListsReorderCorrectly() throws {
    let count = 5_000
    let live = JSON.array((0..<count).map { ["name": .string("E\($0)"), "value": .string("\($0)")] })
    let order = JSON.array((0..<count).reversed().map { ["name": .string("E\($0)")] })
    let patch: JSON = ["spec": ["containers": [["name": "app", "$setElementOrder/env": order, "env": [["name": "E0", "value": "x"]]]]]]
    let result = try StrategicMergePatch.apply(patch, to: ["spec": ["containers": [["name": "app", "env": live]]]])
    let env = result["spec"]["containers"][0]["env"].arrayValue ?? []
    #expect(env.count == count)
    #expect(env.first == ["name": "E4999", "value": "4999"])
    #expect(env.last == ["name": "E0", "value": "x"])
  }

  // MARK: Malformed patches

  @Test func unknownPatchTypeIsMalformed() {
    #expect(
      failure(#"{"spec":{}}"#, #"{"spec":{"$patch":"explode","a":1}}"#)
        == PatchError(kind: .malformed, message: #"unknown patch type: "explode" in map: {"$patch":"explode","a":1}"#))
    #expect(failure(deployment, #"{"spec":{"template":{"spec":{"containers":[{"$patch":"explode"}]}}}}"#)?.kind == .malformed)
    #expect(failure(#"{"spec":{}}"#, #"{"spec":{"$patch":true}}"#)?.kind == .malformed)
  }

  @Test func malformedDirectivesAreBadRequests() {
    let pod = #"{"metadata":{"finalizers":["a"]},"spec":{"containers":[{"name":"app"}]}}"#
    let patches = [
      #"[{"spec":{}}]"#,
      #"{"spec":{"$setElementOrder":[{"name":"app"}]}}"#,
      #"{"spec":{"$setElementOrder/":[{"name":"app"}]}}"#,
      #"{"spec":{"$setElementOrder/containers":{"name":"app"}}}"#,
      #"{"spec":{"$setElementOrder/containers":["app"]}}"#,
      #"{"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}}"#,
      #"{"metadata":{"$deleteFromPrimitiveListfinalizers":["a"]}}"#,
      #"{"spec":{"containers":[{"$patch":"delete","image":"x"}]}}"#,
      #"{"spec":{"containers":[{"image":"no-name"}]}}"#,
      #"{"spec":{"tolerations":[{"$patch":"delete","key":"k"}]}}"#,
      #"{"spec":{"$retainKeys":"containers"}}"#,
      #"{"spec":{"$retainKeys":[1]}}"#,
      #"{"spec":{"$retainKeys":["containers"],"hostname":"h"}}"#,
    ]
    for patch in patches {
      #expect(failure(pod, patch)?.kind == .malformed, "\(patch)")
    }
  }
}

import KcdHTTP
import KcdJSON
import Testing

@testable import KubeSim

/// A functional check at benchmark sizes: many objects load and large lists come back whole and
/// page correctly. No timing assertions here; timing lives in Benchmarks/.
@Suite struct ScaleTests {
  @Test("10,000 objects load; a 3,000-item list returns 3,000 items and pages in six")
  func tenThousandObjects() throws {
    let h = SimHarness()
    for ns in ["bulk-a", "bulk-b"] {
      _ = try h.store.create(BuiltinResources.namespaces, namespace: "", object: ["metadata": ["name": .string(ns)]])
    }
    for i in 0..<10_000 {
      let object: JSON = ["metadata": ["name": .string("cm-\(i)"), "labels": ["shard": .string(String(i % 10))]],
                          "data": ["index": .string(String(i))]]
      _ = try h.store.create(BuiltinResources.configMaps, namespace: i < 7_000 ? "bulk-a" : "bulk-b", object: object)
    }
    #expect(h.store.count(BuiltinResources.configMaps) == 10_000)

    let whole = h.get("/api/v1/namespaces/bulk-b/configmaps")
    #expect(whole.status == 200 && whole["kind"] == "ConfigMapList")
    let items = try #require(whole["items"].arrayValue)
    #expect(items.count == 3_000)
    let names = Set(items.compactMap { $0["metadata"]["name"].stringValue })
    #expect(names.count == 3_000 && names.contains("cm-7000") && names.contains("cm-9999") && !names.contains("cm-6999"))

    var pages = 0
    var paged: [String] = []
    var token: String?
    repeat {
      let target = "/api/v1/namespaces/bulk-b/configmaps?limit=500" + (token.map { "&continue=" + PercentDecoding.encode($0) } ?? "")
      let page = h.get(target)
      #expect(page.status == 200)
      paged += (page["items"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue }
      token = page["metadata"]["continue"].stringValue
      pages += 1
    } while token != nil && pages < 20
    #expect(pages == 6 && paged.count == 3_000 && Set(paged) == names)

    let shard = h.get("/api/v1/configmaps?labelSelector=shard%3D3")
    #expect(shard["items"].arrayValue?.count == 1_000)
  }
}

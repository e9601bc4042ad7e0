import KcdCore
import KcdCrypto
@testable import KcdHooks

/// Certificates, JWTs and key sets, SNS messages and SigV4 canonicalisation.
enum CryptoHarnesses {
  static let all = [
    // DER as it comes from a registry or an SNS endpoint, and PEM text.
    Harness(name: "x509") { bytes in
      if let cert = try? Certificate.parse(bytes) {
        _ = cert.matches(host: "sns.us-east-2.amazonaws.com")
        _ = cert.isValid(at: SourceHarnesses.now)
      }
      _ = try? Certificate.all(pem: String(decoding: bytes, as: UTF8.self))
    },
    // A compact JWT checked against the harness's key set (GCR's Pub/Sub tokens, CI identity).
    Harness(name: "jwt") { bytes in
      let text = String(decoding: bytes, as: UTF8.self)
      _ = try? JWT.decode(text)
      guard let keys = SourceHarnesses.gcrKeys else { return }
      let expect = JWT.Expectations.google(audiences: ["https://kcd.example/hooks/gcr"], emails: ["pubsub@kcd-fuzz.iam.gserviceaccount.com"])
      _ = try? JWT.verify(text, keys: keys, expect: expect, now: SourceHarnesses.now)
    },
    Harness(name: "jwks") { bytes in
      _ = try? JWT.KeySet(document: bytes)
    },
    // An SNS message body: the fields, the string it signs, the subscribe URL.
    Harness(name: "sns-message") { bytes in
      guard let message = try? SNSMessage(body: bytes) else { return }
      _ = message.stringToSign
      _ = try? message.subscribeURL()
      _ = PayloadURL(message.fields["UnsubscribeURL"] ?? "")
    },
    // Signing is deterministic and does not depend on the order of (distinct) header names.
    Harness(name: "sigv4") { bytes in
      // kcd signs only requests it builds (ECR, STS and EventBridge calls: short paths, a few
      // headers, queries of a handful of parameters), never a client's: the target is capped at
      // 512 bytes and the headers at 32, so each run stays short enough for millions of them.
      let input = HeadAndBody(bytes)
      let target = (input.header("x-fuzz-target") ?? "/").utf8.prefix(512)
      let question = target.firstIndex(of: 0x3F) ?? target.endIndex
      let path = String(decoding: target[..<question], as: UTF8.self)
      let query = question == target.endIndex ? "" : String(decoding: target[target.index(after: question)...], as: UTF8.self)
      let headers = Array(input.headers.filter { $0.name != "x-fuzz-target" }.prefix(32))
      let request = SigV4Request(method: "POST", path: path, query: query, headers: headers, body: input.body)
      let signer = SigV4Signer(region: "us-east-1", service: "ecr")
      let credentials = AWSSigningCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
      let first = signer.sign(request, credentials: credentials, at: 1_700_000_000)
      var reversed = request
      reversed.headers.reverse()
      let names = headers.map { $0.name.lowercased() }
      if Set(names).count == names.count {
        expect(signer.sign(reversed, credentials: credentials, at: 1_700_000_000).signature == first.signature, "header order changed the signature")
      }
    },
  ]
}

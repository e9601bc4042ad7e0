import KcdHooks

/// Senders without a usable registration API (Docker Hub, CNCF Distribution, Google Pub/Sub
/// through gcloud): the exact configuration to paste, with the secret as a placeholder unless
/// `--show-secret` asks for it.
enum PastedConfiguration {
  /// How to see the secret a placeholder stands for.
  static func reveal(_ file: String) -> String {
    "The placeholder stands for the first usable line of \(file) (what kcd accepts); add --show-secret to print it here."
  }

  static func dockerHub(hookBase: String, token: SecretValue, file: String, rendering: Rendering) -> String {
    var text = """
      Docker Hub has no API for webhooks. In Docker Hub open the repository → Webhooks → New webhook:

        Webhook name: kcd
        Webhook URL:  \(hookBase)/hooks/dockerhub/\(token.text(rendering))
      """
    if rendering == .show { text += "\n\n" + reveal(file) }
    return text
  }

  /// The values of hooks/distribution.md.
  static func distribution(hookBase: String, secret: SecretValue, file: String, rendering: Rendering) -> String {
    let header = ("Bearer " + secret.text(rendering)).replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
    var text = """
      Add to the registry's config.yml (for GitLab's registry: registry['notifications'] in gitlab.rb) and restart it:

      notifications:
        endpoints:
          - name: kcd
            url: \(hookBase)/hooks/distribution
            headers:
              Authorization: ["\(header)"]
            timeout: 2s
            threshold: 5
            backoff: 5s
            ignoredmediatypes: [application/octet-stream]
      """
    if rendering == .show { text += "\n\n" + reveal(file) }
    return text
  }

  /// hooks/gcr.md's push subscription, with the audience and push identity kcd checks.
  static func gcr(hookBase: String, lines: [String], file: String, subscription: String) throws -> String {
    let settings = GCRHook.Settings(lines: lines)
    guard let audience = settings.audiences.first, let email = settings.emails.first else {
      throw RegisterError("\(file) needs audience= and email= lines (see hooks/gcr.md)")
    }
    return """
      Google Cloud (Pub/Sub push subscription; kcd checks the token's audience and email against \(file)):

      gcloud pubsub topics create gcr     # if Artifact Registry has not created it
      gcloud pubsub subscriptions create \(subscription) --topic gcr \\
        --push-endpoint \(shell(hookBase + "/hooks/gcr")) \\
        --push-auth-service-account \(shell(email)) \\
        --push-auth-token-audience \(shell(audience))
      """
  }

  /// A word for a POSIX shell: as is when it holds only safe characters, else single-quoted.
  static func shell(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "@%+=:,./_-".unicodeScalars.contains($0)) }
    return safe && !word.isEmpty ? word : "'" + word.replacing("'", with: "'\\''") + "'"
  }
}

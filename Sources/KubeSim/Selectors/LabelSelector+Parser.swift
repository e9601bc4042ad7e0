/// The text grammar of apimachinery `labels.Parse`, ported token for token so the same input
/// is accepted or refused with the same message as on a real apiserver.
extension LabelSelector {
  /// Parses `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`,
  /// joined by commas; empty text selects everything.
  public init(parsing text: String) throws(SelectorError) {
    var parser = Parser(tokens: Lexer.tokens(of: text))
    self.init(requirements: try parser.selector())
  }

  enum Token: Equatable {
    case end, identifier, openParen, closeParen, comma, bang
    case equals, doubleEquals, notEquals, greaterThan, lessThan, `in`, notIn
  }

  struct Lexed {
    let token: Token
    let literal: String
  }

  enum Lexer {
    static let symbols: [String: Token] = [
      "(": .openParen, ")": .closeParen, ",": .comma, "!": .bang, "=": .equals, "==": .doubleEquals,
      "!=": .notEquals, ">": .greaterThan, "<": .lessThan,
    ]

    static func isSymbol(_ byte: UInt8) -> Bool { "=!(),><".utf8.contains(byte) }
    static func isSpace(_ byte: UInt8) -> Bool { " \t\r\n".utf8.contains(byte) }

    static func tokens(of text: String) -> [Lexed] {
      let bytes = Array(text.utf8)
      var index = 0
      var result: [Lexed] = []
      while true {
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count else { break }
        let start = index
        if isSymbol(bytes[index]) {
          // Longest symbol that is a token: `!=` and `==` win over `!` and `=`.
          var best: (Token, Int)?
          while index < bytes.count, isSymbol(bytes[index]) {
            let candidate = String(decoding: bytes[start...index], as: UTF8.self)
            if let token = symbols[candidate] { best = (token, index + 1) } else if best != nil { break }
            index += 1
          }
          let (token, end) = best ?? (.bang, start + 1)  // unreachable: every single symbol is a token
          index = end
          result.append(Lexed(token: token, literal: String(decoding: bytes[start..<end], as: UTF8.self)))
        } else {
          while index < bytes.count, !isSymbol(bytes[index]), !isSpace(bytes[index]) { index += 1 }
          let word = String(decoding: bytes[start..<index], as: UTF8.self)
          let token: Token = word == "in" ? .in : word == "notin" ? .notIn : .identifier
          result.append(Lexed(token: token, literal: word))
        }
      }
      result.append(Lexed(token: .end, literal: ""))
      return result
    }
  }

  struct Parser {
    let tokens: [Lexed]
    var position = 0

    init(tokens: [Lexed]) { self.tokens = tokens }

    /// Where a value may stand, `in` and `notin` are plain identifiers (`k in (in)`).
    func peek(keywordsAreValues: Bool = true) -> Lexed {
      let item = tokens[min(position, tokens.count - 1)]
      if keywordsAreValues, item.token == .in || item.token == .notIn { return Lexed(token: .identifier, literal: item.literal) }
      return item
    }

    mutating func next(keywordsAreValues: Bool = true) -> Lexed {
      let item = peek(keywordsAreValues: keywordsAreValues)
      if position < tokens.count - 1 { position += 1 }
      return item
    }

    mutating func selector() throws(SelectorError) -> [Requirement] {
      var requirements: [Requirement] = []
      while true {
        let ahead = peek()
        switch ahead.token {
        case .identifier, .bang:
          do {
            requirements.append(try requirement())
          } catch {
            throw SelectorError("unable to parse requirement: \(error.message)")
          }
          let after = next()
          switch after.token {
          case .end: return requirements
          case .comma:
            let following = peek()
            if following.token != .identifier && following.token != .bang {
              throw SelectorError("found '\(following.literal)', expected: identifier after ','")
            }
          default:
            throw SelectorError("found '\(after.literal)', expected: ',' or 'end of string'")
          }
        case .end:
          return requirements
        default:
          throw SelectorError("found '\(ahead.literal)', expected: !, identifier, or 'end of string'")
        }
      }
    }

    mutating func requirement() throws(SelectorError) -> Requirement {
      var negated = false
      var keyToken = next()
      if keyToken.token == .bang {
        negated = true
        keyToken = next()
      }
      guard keyToken.token == .identifier else {
        throw SelectorError("found '\(keyToken.literal)', expected: identifier")
      }
      let key = keyToken.literal
      let problems = LabelSyntax.keyProblems(key)
      if !problems.isEmpty {
        throw SelectorError("invalid label key \(GoStringQuoting.quote(key)): \(problems.joined(separator: "; "))")
      }
      if negated { return try Requirement(key: key, op: .doesNotExist, values: []) }
      let ahead = peek().token
      if ahead == .end || ahead == .comma { return try Requirement(key: key, op: .exists, values: []) }
      let opToken = next(keywordsAreValues: false)
      let op: Requirement.Operator
      switch opToken.token {
      case .in: op = .in
      case .notIn: op = .notIn
      case .equals, .doubleEquals: op = .equals
      case .notEquals: op = .notEquals
      case .greaterThan: op = .greaterThan
      case .lessThan: op = .lessThan
      default: throw SelectorError("found '\(opToken.literal)', expected: in, notin, =, ==, !=, gt, lt")
      }
      let values = op == .in || op == .notIn ? try valueSet() : try exactValue()
      return try Requirement(key: key, op: op, values: values)
    }

    mutating func exactValue() throws(SelectorError) -> [String] {
      let ahead = peek().token
      if ahead == .end || ahead == .comma { return [""] }
      let value = next()
      guard value.token == .identifier else { throw SelectorError("found '\(value.literal)', expected: identifier") }
      return [value.literal]
    }

    mutating func valueSet() throws(SelectorError) -> [String] {
      let open = next()
      guard open.token == .openParen else { throw SelectorError("found '\(open.literal)' expected: '('") }
      let ahead = peek()
      switch ahead.token {
      case .identifier, .comma:
        let values = try identifierList()
        let close = next()
        guard close.token == .closeParen else { throw SelectorError("found '\(ahead.literal)', expected: ')'") }
        return values
      case .closeParen:
        _ = next()
        return [""]
      default:
        throw SelectorError("found '\(ahead.literal)', expected: ',', ')' or identifier")
      }
    }

    /// The list inside `( )`; empty entries (`(a,)`, `(,a)`, `(a,,b)`) stand for the empty value.
    mutating func identifierList() throws(SelectorError) -> [String] {
      var values: [String] = []
      while true {
        let item = next()
        switch item.token {
        case .identifier:
          values.append(item.literal)
          let ahead = peek()
          switch ahead.token {
          case .comma: continue
          case .closeParen: return values
          default: throw SelectorError("found '\(ahead.literal)', expected: ',' or ')'")
          }
        case .comma:
          if values.isEmpty { values.append("") }
          let ahead = peek().token
          if ahead == .closeParen {
            values.append("")
            return values
          }
          if ahead == .comma {
            _ = next()
            values.append("")
          }
        default:
          throw SelectorError("found '\(item.literal)', expected: ',', or identifier")
        }
      }
    }
  }
}

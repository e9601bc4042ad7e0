import KcdJSON
import KcdYAML
import Testing

/// YAML 1.2 chapter 2 ("Language Overview"), examples 2.1–2.12 (collections and structures),
/// with the JSON the core schema gives them; the complex-key example is checked to fail
/// clearly. Examples 2.13–2.28 are in `SpecScalarExampleTests`.
@Suite struct SpecCollectionExampleTests {
  @Test func example2_1SequenceOfScalars() throws {
    try expectYAML("- Mark McGwire\n- Sammy Sosa\n- Ken Griffey\n", #"["Mark McGwire", "Sammy Sosa", "Ken Griffey"]"#)
  }

  @Test func example2_2MappingScalarsToScalars() throws {
    let yaml = """
      hr:  65    # Home runs
      avg: 0.278 # Batting average
      rbi: 147   # Runs Batted In
      """
    try expectYAML(yaml, #"{"hr": 65, "avg": 0.278, "rbi": 147}"#)
  }

  @Test func example2_3MappingScalarsToSequences() throws {
    let yaml = """
      american:
      - Boston Red Sox
      - Detroit Tigers
      - New York Yankees
      national:
      - New York Mets
      - Chicago Cubs
      - Atlanta Braves
      """
    try expectYAML(yaml, #"""
      {"american": ["Boston Red Sox", "Detroit Tigers", "New York Yankees"],
       "national": ["New York Mets", "Chicago Cubs", "Atlanta Braves"]}
      """#)
  }

  @Test func example2_4SequenceOfMappings() throws {
    let yaml = """
      -
        name: Mark McGwire
        hr:   65
        avg:  0.278
      -
        name: Sammy Sosa
        hr:   63
        avg:  0.288
      """
    try expectYAML(yaml, #"[{"name": "Mark McGwire", "hr": 65, "avg": 0.278}, {"name": "Sammy Sosa", "hr": 63, "avg": 0.288}]"#)
  }

  @Test func example2_5SequenceOfSequences() throws {
    let yaml = """
      - [name        , hr, avg  ]
      - [Mark McGwire, 65, 0.278]
      - [Sammy Sosa  , 63, 0.288]
      """
    try expectYAML(yaml, #"[["name", "hr", "avg"], ["Mark McGwire", 65, 0.278], ["Sammy Sosa", 63, 0.288]]"#)
  }

  @Test func example2_6MappingOfMappings() throws {
    let yaml = """
      Mark McGwire: {hr: 65, avg: 0.278}
      Sammy Sosa: {
          hr: 63,
          avg: 0.288
        }
      """
    try expectYAML(yaml, #"{"Mark McGwire": {"hr": 65, "avg": 0.278}, "Sammy Sosa": {"hr": 63, "avg": 0.288}}"#)
  }

  @Test func example2_7TwoDocumentsInAStream() throws {
    let yaml = """
      # Ranking of 1998 home runs
      ---
      - Mark McGwire
      - Sammy Sosa
      - Ken Griffey

      # Team ranking
      ---
      - Chicago Cubs
      - St Louis Cardinals
      """
    try expectYAMLDocuments(yaml, #"[["Mark McGwire", "Sammy Sosa", "Ken Griffey"], ["Chicago Cubs", "St Louis Cardinals"]]"#)
  }

  @Test func example2_8PlayByPlayFeed() throws {
    let yaml = """
      ---
      time: 20:03:20
      player: Sammy Sosa
      action: strike (miss)
      ...
      ---
      time: 20:03:47
      player: Sammy Sosa
      action: grand slam
      ...
      """
    try expectYAMLDocuments(yaml, #"""
      [{"time": "20:03:20", "player": "Sammy Sosa", "action": "strike (miss)"},
       {"time": "20:03:47", "player": "Sammy Sosa", "action": "grand slam"}]
      """#)
  }

  @Test func example2_9SingleDocumentWithTwoComments() throws {
    let yaml = """
      ---
      hr: # 1998 hr ranking
        - Mark McGwire
        - Sammy Sosa
      rbi:
        # 1998 rbi ranking
        - Sammy Sosa
        - Ken Griffey
      """
    try expectYAML(yaml, #"{"hr": ["Mark McGwire", "Sammy Sosa"], "rbi": ["Sammy Sosa", "Ken Griffey"]}"#)
  }

  @Test func example2_10NodeAppearingTwice() throws {
    let yaml = """
      ---
      hr:
        - Mark McGwire
        # Following node labeled SS
        - &SS Sammy Sosa
      rbi:
        - *SS # Subsequent occurrence
        - Ken Griffey
      """
    try expectYAML(yaml, #"{"hr": ["Mark McGwire", "Sammy Sosa"], "rbi": ["Sammy Sosa", "Ken Griffey"]}"#)
  }

  /// Explicit keys are read, but a sequence key has no JSON form.
  @Test func example2_11ComplexKeysAreRefused() {
    let yaml = """
      ? - Detroit Tigers
        - Chicago cubs
      :
        - 2001-07-23

      ? [ New York Yankees,
          Atlanta Braves ]
      : [ 2001-07-02, 2001-08-12,
          2001-08-14 ]
      """
    #expect(parseFailure(yaml) == YAMLError(line: 1, column: 3, message: "collections cannot be used as mapping keys"))
  }

  @Test func example2_12CompactNestedMapping() throws {
    let yaml = """
      ---
      # Products purchased
      - item    : Super Hoop
        quantity: 1
      - item    : Basketball
        quantity: 4
      - item    : Big Shoes
        quantity: 1
      """
    try expectYAML(yaml, #"""
      [{"item": "Super Hoop", "quantity": 1}, {"item": "Basketball", "quantity": 4}, {"item": "Big Shoes", "quantity": 1}]
      """#)
  }
}

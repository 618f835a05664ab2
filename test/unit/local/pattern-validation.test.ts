import { InvalidPatternError, MAX_OR_COMBINATIONS, compilePattern, matchesPattern, orCombinations, validatePattern } from '../../../local/bus/pattern';

// What PutRule refuses, written from event-ruler (aws/event-ruler @337e8d9, the library EventBridge matches with) and
// the EventBridge user guide. Each case names its source: an event-ruler file and test, or a documentation page.
// Rejected cases sit beside accepted ones at the same boundary, so a check that refuses too much fails here too.
//   JRC  = src/main/software/amazon/event/ruler/JsonRuleCompiler.java
//   JRCT = src/test/software/amazon/event/ruler/JsonRuleCompilerTest.java
//   WPT  = src/test/software/amazon/event/ruler/input/WildcardParserTest.java
//   CBF  = https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html

type Pattern = Record<string, unknown>;
const reason = (text: string) => `Event pattern is not valid. Reason: ${text}`;
const event = { source: 's', 'detail-type': 't', detail: { path: 'a*c', n: 3, c: 1 } };

describe('validatePattern', () => {
  describe('empty objects', () => {
    it.each<[string, Pattern, string]>([
      // JRC parseObject: "Empty objects are not allowed", reached for the whole pattern too.
      ['the whole pattern', {}, 'Empty objects are not allowed at the top level'],
      // JRCT testCompile: { "foo": {}} "Objects must not be empty".
      ['a field', { foo: {} }, 'Empty objects are not allowed at "foo"'],
      // The example; JRC parseObject recurses into every nested object.
      ['a nested field', { detail: { x: {} } }, 'Empty objects are not allowed at "detail.x"'],
      // JRC parseObjectInsideOrRelationship: the same refusal for a "$or" branch.
      ['a "$or" branch', { $or: [{}, { a: ['x'] }] }, 'Empty objects are not allowed at "$or[0]"'],
    ])('rejects an empty object as %s, naming where it is', (_where, pattern, expected) => {
      // Act
      const errors = validatePattern(pattern);

      // Assert
      expect(errors).toEqual([reason(expected)]);
    });

    it('accepts the same shapes once each object has a field', () => {
      // JRCT testCompile compiles { "detail": { "state": [...] } }; JRCT testMoreCaseOfOrRelationshipRules its "$or" rules.
      const patterns: Pattern[] = [{ foo: { bar: ['x'] } }, { detail: { x: { y: [{ exists: false }] } } }, { $or: [{ b: ['y'] }, { a: ['x'] }] }];

      expect(patterns.map((pattern) => validatePattern(pattern))).toEqual([[], [], []]);
    });

    it('refuses to compile an empty pattern rather than match every event', () => {
      expect(() => compilePattern('{}')).toThrow(InvalidPatternError);
      expect(() => compilePattern('{"detail": {"x": {}}}')).toThrow(reason('Empty objects are not allowed at "detail.x"'));
    });
  });

  describe('wildcard escapes', () => {
    it.each<[string, Pattern, string]>([
      // WPT testParseWithInvalidEscapeCharacter: "a\bc". JRC parses the value inside its quotes, so pos 1 there is pos 2 here.
      ['a backslash before a letter', { detail: { path: [{ wildcard: 'a\\bc' }] } }, 'Invalid escape character at pos 2 in the wildcard at "detail.path"'],
      // ByteMachineTest testWildcardInvalidEscapeCharacter: "he\llo", pos 2 unquoted.
      ['a backslash before "l"', { detail: { path: [{ wildcard: 'he\\llo' }] } }, 'Invalid escape character at pos 3 in the wildcard at "detail.path"'],
      // JRCT testCompile bad patterns: anything-but wildcard "foo*bar\" ("no ending backslash").
      ['a trailing backslash', { a: [{ wildcard: 'foo*bar\\' }] }, 'Invalid escape character at pos 8 in the wildcard at "a"'],
      ['a trailing backslash in anything-but', { a: [{ 'anything-but': { wildcard: 'foo*bar\\' } }] }, 'Invalid escape character at pos 8 in the wildcard at "a"'],
      ['a trailing backslash in an anything-but list', { a: [{ 'anything-but': { wildcard: ['1', 'foo*bar\\'] } }] }, 'Invalid escape character at pos 8 in the wildcard at "a"'],
      // WildcardParser counts UTF-8 bytes: "é" is two.
      ['a bad escape after a two-byte character', { a: [{ wildcard: 'é\\n' }] }, 'Invalid escape character at pos 3 in the wildcard at "a"'],
    ])('rejects %s', (_what, pattern, expected) => {
      expect(validatePattern(pattern)).toEqual([reason(`${expected}: a backslash may only escape \\* or \\\\`)]);
    });

    // WPT: testParseWithEscapedAsterisk, testParseWithEscapedBackslash, testParseWithEscapedBackslashThenWildcard,
    // testParseWithEscapedBackslashThenEscapedAsterisk, testParseWithEscapedAsteriskThenWildcard.
    it.each(['a\\*c', 'a\\\\c', 'a\\\\*', 'a\\\\\\*', 'a\\**'])('accepts the escapes event-ruler parses: %s', (wildcard) => {
      expect(validatePattern({ detail: { path: [{ wildcard }] } })).toEqual([]);
    });

    it('still reports consecutive wildcards where event-ruler does', () => {
      // JRCT testWildcardConsecutiveWildcards: "abc**def" at pos 4; WPT testParseWithEscapedAsteriskThenWildcard keeps "a\**" valid.
      expect(validatePattern({ key: [{ wildcard: 'abc**def' }] })).toEqual([reason('Consecutive wildcard characters at pos 4')]);
      expect(validatePattern({ key: [{ wildcard: 'a\\***' }] })).toEqual([reason('Consecutive wildcard characters at pos 4')]);
    });

    it('matches an escaped asterisk as the character itself', () => {
      // event-ruler README, "Wildcard matching": a backslash escapes the asterisk to match it literally.
      expect(matchesPattern({ detail: { path: [{ wildcard: 'a\\*c' }] } }, event)).toBe(true);
      expect(matchesPattern({ detail: { path: [{ wildcard: 'a\\*c' }] } }, { ...event, detail: { path: 'abc' } })).toBe(false);
    });
  });

  describe('numeric expressions', () => {
    it.each<[string, unknown[], string]>([
      // JRCT testNumericExpressions bad: ["<", 1, ">", 0]. JRC: after "<" or "<=" only the end may come.
      ['an upper bound first', ['<', 1, '>', 0], 'Too many elements in numeric expression at "detail.n": nothing may follow "<", so a range puts its lower bound (">" or ">=") first'],
      ['an inclusive upper bound first', ['<=', 5, '>=', 1], 'Too many elements in numeric expression at "detail.n": nothing may follow "<=", so a range puts its lower bound (">" or ">=") first'],
      ['two upper bounds', ['<', 1, '<', 2], 'Too many elements in numeric expression at "detail.n": nothing may follow "<", so a range puts its lower bound (">" or ">=") first'],
      // JRCT testNumericExpressions bad: [">", 1, "<", 30, false]. JRC completeNumericRange: "Too many terms".
      ['a fifth element', ['>', 1, '<', 30, false], 'Too many terms in numeric range expression at "detail.n": at most 4 elements (a lower bound, then an upper bound), got 5'],
      ['a third comparison', ['>', 0, '<', 5, '<', 10], 'Too many terms in numeric range expression at "detail.n": at most 4 elements (a lower bound, then an upper bound), got 6'],
      // JRCT testNumericExpressions bad: [">", 1, "<", 1] and [">", 30, "<", 1] (Range.between: bottom below top).
      ['an empty range', ['>', 1, '<', 1], 'Bad numeric range: the lower bound must be below the upper bound'],
      ['a reversed range', ['>', 30, '<', 1], 'Bad numeric range: the lower bound must be below the upper bound'],
      // JRC completeNumericRange: the second comparison must be "<" or "<=" (localstack content_numeric_EXC, AWS-validated).
      ['two lower bounds', ['>', 0, '>=', 1], 'Bad numeric range operator: >='],
      // JRC processNumericMatchExpression: "=" must end the expression.
      ['"=" in a range', ['=', 1, '<', 5], 'Bad numeric range operator: = cannot be combined'],
      // JRCT testNumericExpressions bad: ["<>", 1, ">", 0] and ["==", 1, ">", 0].
      ['an unknown operator', ['<>', 1, '>', 0], 'Unrecognized numeric range operator: <>'],
    ])('rejects %s', (_what, numeric, expected) => {
      expect(validatePattern({ detail: { n: [{ numeric }] } })).toEqual([reason(expected)]);
    });

    // JRCT testNumericExpressions good: every single comparison, and the four lower-then-upper ranges.
    it.each<[unknown[]]>([[['=', 3.8]], [['<', 3.8]], [['<=', -4e-6]], [['>', 55555]], [['>=', 0.000033]], [['>', 0, '<', 1]], [['>=', 0, '<', 1]], [['>', 0, '<=', 1]], [['>=', 0, '<=', 1]]])(
      'accepts %j',
      (numeric) => {
        expect(validatePattern({ x: [{ numeric }] })).toEqual([]);
      },
    );

    it('matches the documented range as before', () => {
      // CBF, "Numeric matching": "c-count": [ { "numeric": [ ">", 0, "<=", 5 ] } ].
      expect(matchesPattern({ detail: { n: [{ numeric: ['>', 0, '<=', 5] }] } }, event)).toBe(true);
      expect(matchesPattern({ detail: { n: [{ numeric: ['>', 3, '<=', 5] }] } }, event)).toBe(false);
    });
  });

  describe('$or', () => {
    it.each<[string, Pattern, string[]]>([
      // JRCT testWrongOrRelationshipRules, wrongOrRelationshipRules.json #1; JRC "at least 2 Objects".
      ['a single branch', { $or: [{ metricName: ['CPUUtilization'] }] }, ['"$or" needs at least 2 objects at "$or", got 1']],
      // JRCT testWrongOrRelationshipRules, wrongOrRelationshipRules.json #2: an array among the branches.
      [
        'an array as a branch',
        { detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['x'] }, [{ foo: ['wrong'] }]] } },
        ['Only objects are allowed in "$or" at "detail.$or[2]", got an array'],
      ],
      // JRCT testOrFieldCanKeepWorkingInLegacyRuleCompiler, normalRulesWithOrWording.json #2: "$or" holding an object.
      ['an object for the array', { source: ['aws.cloudwatch'], $or: { metricType: ['MetricType'] } }, ['"$or" must be an array of objects at "$or", got an object']],
      // normalRulesWithOrWording.json #1: a lone branch with a reserved name, and the branch count.
      [
        'a lone reserved-name branch',
        { $or: [{ cidr: '10.0.0.0/24' }] },
        ['"cidr" is a reserved word, not allowed as a field name inside "$or" at "$or[0].cidr"', '"cidr" must be an object or an array', '"$or" needs at least 2 objects at "$or", got 1'],
      ],
      // normalRulesWithOrWording.json #4; event-ruler README, "The $or Primitive": no Ruler keyword as a field name in a branch.
      [
        'operators used as field names',
        { detail: { $or: [{ numeric: ['>', 0, '<=', 5] }, { numeric: ['>', 10] }] } },
        [
          '"numeric" is a reserved word, not allowed as a field name inside "$or" at "detail.$or[0].numeric"',
          '"numeric" is a reserved word, not allowed as a field name inside "$or" at "detail.$or[1].numeric"',
        ],
      ],
      // JRC parseObjectInsideOrRelationship checks every field of a branch, however deep.
      ['a reserved name deeper in a branch', { $or: [{ a: { prefix: ['x'] } }, { b: ['y'] }] }, ['"prefix" is a reserved word, not allowed as a field name inside "$or" at "$or[0].a.prefix"']],
      // JRC parseObjectInsideOrRelationship: each branch is a pattern, so every problem in it counts.
      [
        'a malformed branch beside an empty one',
        { $or: [{}, { x: [{ numeric: ['<', 1, '>', 0] }] }] },
        ['Empty objects are not allowed at "$or[0]"', 'Too many elements in numeric expression at "$or[1].x": nothing may follow "<", so a range puts its lower bound (">" or ">=") first'],
      ],
    ])('rejects %s', (_what, pattern, expected) => {
      expect(validatePattern(pattern)).toEqual(expected.map(reason));
    });

    it.each<[string, Pattern]>([
      // CBF, "Complex example with $or matching".
      ['the documented example', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }] } }],
      // JRCT testMoreCaseOfOrRelationshipRules, orRelationshipRules.json #4: a "$or" inside a branch.
      ['a nested "$or"', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }] }],
      // JRC parseObject has no reserved-name check: outside "$or" a field may be called "numeric".
      ['a reserved word as a field outside "$or"', { detail: { numeric: ['x'], prefix: { cidr: ['y'] } } }],
      // JRC compares the whole field name: near misses are ordinary names.
      ['near misses of reserved words', { $or: [{ 'numeric-value': [1] }, { Prefix: ['x'], 'detail.numeric': ['y'] }] }],
    ])('accepts %s', (_what, pattern) => {
      expect(validatePattern(pattern)).toEqual([]);
    });

    it('counts rule combinations as event-ruler expands them', () => {
      // JRCT testMoreCaseOfOrRelationshipRules: orRelationshipRules.json compiles to 2, 4, 3, 4 and 2 sub-rules.
      const metric = { metricName: ['CPUUtilization'] };
      const patterns: Pattern[] = [
        { $or: [metric, { namespace: ['AWS/EC2'] }] },
        { $or: [metric, { namespace: ['AWS/EC2'] }], detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['x'] }] } },
        { source: ['aws.cloudwatch'], $or: [metric, { metricType: ['MetricType'], namespace: ['AWS/EC2'] }, { scope: ['Service'] }] },
        { source: ['aws.cloudwatch'], $or: [metric, { namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }, { scope: ['Service'] }] },
        { source: ['aws.cloudwatch'], detail: { state: { value: ['ALARM'] } }, $or: [{ with: { metric: { namespace: ['AWS/EC2'] } } }, { without: { metric: { name: ['x'] } } }] },
      ];

      expect(patterns.map(orCombinations)).toEqual([2, 4, 3, 4, 2]);
    });

    it(`accepts ${MAX_OR_COMBINATIONS} rule combinations and rejects more`, () => {
      // CBF, the note under "Complex example with $or matching": over 1000 combinations is an InvalidEventPatternException;
      // successive "$or" arrays multiply.
      const branches = (field: string, count: number) => Array.from({ length: count }, (_, i) => ({ [field]: [i] }));
      const atLimit = { $or: branches('a', 10), detail: { $or: branches('b', 10), inner: { $or: branches('c', 10) } } };
      const overLimit = { $or: branches('a', 7), detail: { $or: branches('b', 11), inner: { $or: branches('c', 13) } } };

      expect(validatePattern(atLimit)).toEqual([]);
      expect(validatePattern(overLimit)).toEqual([reason('"$or" expands to 1001 rule combinations, more than the 1000 allowed (the branch counts of successive "$or" arrays multiply)')]);
    });
  });

  it('collects every problem of a pattern, then compilePattern throws them together', () => {
    // Arrange: one of each class this file covers.
    const pattern = { a: {}, b: [{ wildcard: 'x\\y' }], c: [{ numeric: ['<', 1, '>', 0] }], $or: [{ exists: [true] }] };

    // Act
    const errors = validatePattern(pattern);

    // Assert
    expect(errors).toHaveLength(5);
    expect(() => compilePattern(pattern)).toThrow(new InvalidPatternError(errors));
  });
});

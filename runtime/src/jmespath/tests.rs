use serde_json::{json, Value};

use super::*;

fn search(expression: &str, data: &Value) -> Result<Value, JmesPathError> {
    Expression::parse(expression)?.search(data)
}

fn kind_of(expression: &str, data: &Value) -> ErrorKind {
    match search(expression, data) {
        Ok(value) => panic!("{expression:?} gave {value}, not an error"),
        Err(error) => error.kind(),
    }
}

/// Runs `test` on a thread with a 2 MiB stack (the default for spawned threads and for tokio's
/// workers), whatever `RUST_MIN_STACK` says.
fn on_small_stack(test: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new().stack_size(2 << 20).spawn(test);
    thread.expect("spawn a thread").join().expect("the test thread");
}

#[test]
fn a_projection_stops_at_a_pipe() {
    let data = json!({"foo": [{"bar": [1, 2]}, {"bar": [3, 4]}, {"baz": 5}]});
    // The index applies to each element of the projection...
    assert_eq!(search("foo[*].bar[0]", &data).unwrap(), json!([1, 3]));
    // ...but after a pipe, to the projection's result.
    assert_eq!(search("foo[*].bar | [0]", &data).unwrap(), json!([1, 2]));
    // Parentheses stop a projection too.
    assert_eq!(search("(foo[*].bar)[1]", &data).unwrap(), json!([3, 4]));
    // Nulls are left out of projections, not of multi-select lists.
    assert_eq!(search("foo[*].baz", &data).unwrap(), json!([5]));
    assert_eq!(search("foo[*].[baz]", &data).unwrap(), json!([[null], [null], [5]]));
    // Flattening ends one projection and starts another.
    assert_eq!(search("foo[].bar[]", &data).unwrap(), json!([1, 2, 3, 4]));
    assert_eq!(search("foo[*].bar[*]", &data).unwrap(), json!([[1, 2], [3, 4]]));
}

#[test]
fn slices_follow_python() {
    let data = json!([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let cases = [
        ("[::-1]", json!([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])),
        ("[::-3]", json!([9, 6, 3, 0])),
        ("[8:2:-2]", json!([8, 6, 4])),
        ("[-2:]", json!([8, 9])),
        ("[:-8:-3]", json!([9, 6, 3])),
        ("[5:2]", json!([])),
        ("[2:5:-1]", json!([])),
        ("[100:-100:-4]", json!([9, 5, 1])),
        (
            "[-9223372036854775808:9223372036854775807:9223372036854775807]",
            json!([0]),
        ),
        (
            "[9223372036854775807:-9223372036854775808:-9223372036854775808]",
            json!([9]),
        ),
        ("[::-1].to_string(@) | [0]", json!("9")),
    ];
    for (expression, expected) in cases {
        assert_eq!(search(expression, &data).unwrap(), expected, "{expression}");
    }
    assert_eq!(kind_of("[::0]", &data), ErrorKind::InvalidValue);
    // A slice of something else than an array is null.
    assert_eq!(search("[1:2]", &json!({"a": 1})).unwrap(), Value::Null);
    assert_eq!(search("a[::-1]", &json!({"a": "abc"})).unwrap(), Value::Null);
}

#[test]
fn errors_have_kinds_and_places() {
    let data = json!({"a": [1, 2], "s": "text"});

    let error = Expression::parse("foo.").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Syntax);
    assert_eq!(error.offset(), Some(4));
    assert!(error.to_string().starts_with("syntax error at byte 4: "), "{error}");
    let error = Expression::parse("a ^ b").unwrap_err();
    assert_eq!((error.kind(), error.offset()), (ErrorKind::Syntax, Some(2)));
    let error = Expression::parse("foo[?bar==]").unwrap_err();
    assert_eq!((error.kind(), error.offset()), (ErrorKind::Syntax, Some(10)));
    let error = Expression::parse("`{\"a\": }`").unwrap_err();
    assert_eq!((error.kind(), error.offset()), (ErrorKind::Syntax, Some(0)));
    for text in [
        "", " ", "a.", "a[", "a[0", "'abc", "\"abc", "`1", "a = b", "-", "a.-1", "[0, ]", "{a}",
    ] {
        assert_eq!(
            Expression::parse(text).unwrap_err().kind(),
            ErrorKind::Syntax,
            "{text:?}"
        );
    }

    let error = Expression::parse("a | nope(@)").unwrap_err();
    assert_eq!((error.kind(), error.offset()), (ErrorKind::UnknownFunction, Some(4)));
    assert_eq!(kind_of("abs()", &data), ErrorKind::InvalidArity);
    assert_eq!(kind_of("not_null()", &data), ErrorKind::InvalidArity);
    assert_eq!(kind_of("starts_with(s)", &data), ErrorKind::InvalidArity);

    assert_eq!(kind_of("abs(s)", &data), ErrorKind::InvalidType);
    assert_eq!(kind_of("length(&a)", &data), ErrorKind::InvalidType);
    assert_eq!(kind_of("sort_by(a, @)", &data), ErrorKind::InvalidType);
    assert_eq!(kind_of("&a", &data), ErrorKind::InvalidType);
    assert_eq!(kind_of("sum(`[1, \"2\"]`)", &data), ErrorKind::InvalidType);
    let error = search("a[?abs(@) > `0`].starts_with(@, 'x')", &data).unwrap_err();
    assert_eq!((error.kind(), error.offset()), (ErrorKind::InvalidType, Some(17)));
    assert!(
        error
            .to_string()
            .starts_with("invalid type at byte 17: starts_with(): "),
        "{error}"
    );

    // An unknown function is refused even where it would never be called.
    assert_eq!(
        Expression::parse("`[]`[*].nope()").unwrap_err().kind(),
        ErrorKind::UnknownFunction
    );
    let boxed: Box<dyn std::error::Error> = Box::new(Expression::parse("(").unwrap_err());
    assert!(boxed.to_string().contains("byte 1"), "{boxed}");
}

#[test]
fn integers_stay_integers() {
    let data = json!({"ints": [1, 2, 3], "floats": [1.5, 2.5], "big": [9223372036854775807_i64, 1]});
    let integral = |expression: &str| search(expression, &data).unwrap();
    assert!(integral("sum(ints)").is_i64());
    assert_eq!(integral("sum(ints)"), json!(6));
    assert_eq!(integral("sum(`[]`)"), json!(0));
    assert!(integral("avg(ints)").is_i64());
    assert_eq!(integral("avg(`[1, 2]`)"), json!(1.5));
    assert_eq!(integral("sum(floats)"), json!(4.0));
    assert!(integral("floor(`2.5`)").is_i64());
    assert!(integral("ceil(`-2.5`)").is_i64());
    assert_eq!(integral("ceil(`-2.5`)"), json!(-2));
    assert_eq!(integral("abs(`-3`)"), json!(3));
    assert!(integral("abs(`-3`)").is_i64());
    assert!(integral("to_number('4')").is_i64());
    assert_eq!(integral("to_number('4.5')"), json!(4.5));
    assert_eq!(integral("to_number(' 4 ')"), json!(4));
    assert_eq!(integral("to_number('0x10')"), Value::Null);
    assert_eq!(integral("to_number('1e400')"), Value::Null);
    // Past i64, an exact sum is kept while it fits in a u64.
    assert_eq!(integral("sum(big)"), json!(9223372036854775808_u64));
    // Numbers compare by value.
    assert_eq!(integral("`1` == `1.0`"), json!(true));
    assert_eq!(integral("contains(`[1.0]`, `1`)"), json!(true));
    assert_eq!(integral("max(`[1, 2.5, 2]`)"), json!(2.5));
    assert_eq!(integral("to_string(`[1, 1.5]`)"), json!("[1,1.5]"));
}

#[test]
fn truthiness_and_logic() {
    let data = json!({"t": true, "zero": 0, "empty": "", "list": [], "map": {}, "s": "x"});
    assert_eq!(search("empty || list || map || zero", &data).unwrap(), json!(0));
    assert_eq!(search("s && list && t", &data).unwrap(), json!([]));
    assert_eq!(search("!zero", &data).unwrap(), json!(false));
    assert_eq!(search("s < t", &data).unwrap(), Value::Null);
    assert_eq!(search("`2` >= `1.5`", &data).unwrap(), json!(true));
    // `!` binds tighter than `.`, as in the reference implementations.
    assert_eq!(search("!map.a", &json!({"map": {"a": false}})).unwrap(), Value::Null);
    assert_eq!(search("!(map.a)", &json!({"map": {"a": false}})).unwrap(), json!(true));
}

#[test]
fn expressions_show_their_text() {
    let expression = Expression::parse("foo[?a == `1`].b").unwrap();
    assert_eq!(expression.as_str(), "foo[?a == `1`].b");
    assert_eq!(expression.to_string(), "foo[?a == `1`].b");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    on_small_stack(|| {
        let n = 100_000;
        let too_deep = [
            format!("{}@{}", "(".repeat(n), ")".repeat(n)),
            format!("{}@", "!".repeat(n)),
            format!("{}@", "& ".repeat(n)),
            format!("{}@{}", "[".repeat(n), "]".repeat(n)),
            format!("{}@{}", "{a:".repeat(n), "}".repeat(n)),
            format!("{}@{}", "abs(".repeat(n), ")".repeat(n)),
            format!("a{}", "[*].a".repeat(n)),
            format!("a{}", "[?a].a".repeat(n)),
            format!("a{}", "[]".repeat(n)),
            format!("a{}", "==a".repeat(n)),
            format!("a{}", ".*".repeat(n)),
            // Unbalanced: refused for its depth before the missing brackets are noticed.
            "(".repeat(n),
            "[".repeat(n),
        ];
        for text in &too_deep {
            let error = Expression::parse(text).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Syntax, "{}…", &text[..20]);
            assert!(error.message().contains("nests deeper"), "{error}");
        }

        // Long chains of fields, indexes, pipes, `||` and `&&` do not nest.
        let data = json!({"a": {"a": [1]}});
        for (text, expected) in [
            (format!("a{}", ".a".repeat(n)), Value::Null),
            (format!("a.a{}", "[0]".repeat(n)), Value::Null),
            (format!("a{}", " | @".repeat(n)), json!({"a": [1]})),
            (format!("x{}", " || x".repeat(n)), Value::Null),
            (format!("a{}", " && a".repeat(n)), json!({"a": [1]})),
        ] {
            assert_eq!(Expression::parse(&text).unwrap().search(&data).unwrap(), expected);
        }

        // Just within the limit, the deepest expressions parse and evaluate.
        let deep = MAX_NESTING - 2;
        let mut nested = json!(1);
        for _ in 0..deep {
            nested = json!({"a": [nested]});
        }
        for text in [
            format!("{}@{}", "(".repeat(deep), ")".repeat(deep)),
            format!("{}@{}", "[".repeat(deep), "]".repeat(deep)),
            format!("{}@{}", "{a:".repeat(deep), "}".repeat(deep)),
            format!("{}`-1`{}", "abs(".repeat(deep), ")".repeat(deep)),
            format!("{}@", "!".repeat(deep)),
            format!("a{}", "[*].a".repeat(deep / 2 - 1)),
            format!("a{}", "[?a].a".repeat(deep / 2 - 1)),
            format!("a{}", "[]".repeat(deep / 2 - 1)),
            format!("{}@{}", "map(&".repeat(deep / 2), ", a)".repeat(deep / 2)),
        ] {
            let expression = Expression::parse(&text).unwrap_or_else(|error| panic!("{}…: {error}", &text[..20]));
            let _ = expression.search(&nested);
        }
    });
}

/// A pseudo-random number generator (xorshift), so that the test needs no dependency.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

#[test]
fn no_text_makes_it_panic() {
    let data = json!({
        "a": [1, -2.5, "x", null, true, [3, [4]], {"a": {"b": [1]}}],
        "b": {"c": "", "d": [{"e": 1}, {"e": "f"}]},
        "n": 7
    });
    let run = |text: &str| {
        if let Ok(expression) = Expression::parse(text) {
            let _ = expression.search(&data);
            let _ = expression.search(&Value::Null);
        }
    };
    // Every text of up to three characters over an alphabet of the language's characters.
    let alphabet: Vec<char> = "ab0-.*@[]{}(),:|&!=<>?'\"`\\ é".chars().collect();
    for first in &alphabet {
        run(&first.to_string());
        for second in &alphabet {
            run(&format!("{first}{second}"));
            for third in &alphabet {
                run(&format!("{first}{second}{third}"));
            }
        }
    }
    // And longer texts made of pieces of the language.
    let pieces = [
        "a",
        "b",
        "n",
        "e",
        "@",
        ".",
        "*",
        "[",
        "]",
        "[]",
        "[?",
        "{",
        "}",
        "(",
        ")",
        ",",
        ":",
        "|",
        "||",
        "&&",
        "&",
        "!",
        "==",
        "!=",
        "<",
        ">=",
        "0",
        "-1",
        "2",
        "`1`",
        "`[1, 2]`",
        "`{\"a\": 1}`",
        "'x'",
        "\"a\"",
        " ",
        "abs(",
        "sort_by(",
        "map(",
        "max_by(",
        "length(",
        "to_number(",
        "not_null(",
        "join(",
        "merge(",
        "sum(",
        "contains(",
        "reverse(",
        "keys(",
        "to_string(",
        "type(",
        "avg(",
        "floor(",
        "min(",
        "values(",
        "sort(",
    ];
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for _ in 0..30_000 {
        let length = 1 + random.below(16);
        let text: String = (0..length).map(|_| pieces[random.below(pieces.len())]).collect();
        run(&text);
    }
}

//! What a generated crate is made of, by construct: its lines (read from its sources) and the
//! compiler's time (read from a `-Z self-profile` trace of building it).
//!
//! ```text
//! compile-profile SRC-DIR PROFILE-STEM CRATE-NAME
//! ```
//!
//! Time is each query's own time (its children's taken out), attributed to the item the query
//! was about; queries about no item (code generation of a unit, metadata, incremental state)
//! are "crate-wide". The profiler slows the compiler, so the shares matter, not the seconds.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::UNIX_EPOCH;

use analyzeme::ProfilingData;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, src, stem, krate] = args.as_slice() else {
        eprintln!("usage: compile-profile SRC-DIR PROFILE-STEM CRATE-NAME");
        std::process::exit(2);
    };
    let lines = lines_by_construct(Path::new(src));
    let time = time_by_construct(Path::new(stem), &krate.replace('-', "_"));
    let total_lines: usize = lines.values().sum();
    let total_time: f64 = time.values().sum();
    let mut names: Vec<&str> = lines.keys().chain(time.keys()).copied().collect();
    names.sort();
    names.dedup();
    names.sort_by(|a, b| {
        let share = |name: &str| time.get(name).copied().unwrap_or(0.0);
        share(b).total_cmp(&share(a))
    });
    println!("| construct | lines | share of lines | share of compile time |");
    println!("|---|---:|---:|---:|");
    for name in names {
        let count = lines.get(name).copied().unwrap_or(0);
        let seconds = time.get(name).copied().unwrap_or(0.0);
        println!(
            "| {name} | {count} | {:.1}% | {:.1}% |",
            100.0 * count as f64 / total_lines.max(1) as f64,
            100.0 * seconds / total_time.max(f64::MIN_POSITIVE)
        );
    }
    println!("| total | {total_lines} | 100% | 100% |");
}

/// Lines of the crate's sources by the construct of the top-level item they belong to (its
/// documentation and attributes included).
fn lines_by_construct(src: &Path) -> BTreeMap<&'static str, usize> {
    let mut totals = BTreeMap::new();
    let mut files = Vec::new();
    collect_files(src, &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let in_builders = file.to_string_lossy().contains("builders");
        let mut depth = 0i64;
        let mut pending = 0usize;
        let mut current: Option<&'static str> = None;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if depth == 0 && current.is_none() {
                if trimmed.is_empty() || trimmed.starts_with("//") || trimmed.starts_with("#[") {
                    pending += 1;
                    depth += brace_delta(trimmed);
                    continue;
                }
                current = Some(item_construct(trimmed, in_builders));
            }
            depth += brace_delta(trimmed);
            pending += 1;
            if depth <= 0 && (trimmed.ends_with('}') || trimmed.ends_with(';')) {
                *totals.entry(current.take().unwrap_or("other")).or_insert(0) += pending;
                pending = 0;
                depth = 0;
            }
        }
        if pending > 0 {
            *totals
                .entry(current.unwrap_or("module declarations, imports, comments"))
                .or_insert(0) += pending;
        }
    }
    totals
}

fn collect_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// Braces opened minus braces closed, outside string literals.
fn brace_delta(line: &str) -> i64 {
    let mut delta = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => delta += 1,
            '}' if !in_string => delta -= 1,
            _ => {}
        }
    }
    delta
}

/// The construct of a top-level item, from its first line.
fn item_construct(line: &str, in_builders: bool) -> &'static str {
    let line = line.trim_start_matches("pub(crate) ").trim_start_matches("pub ");
    if line.starts_with("impl") {
        let head = line.split('{').next().unwrap_or(line);
        if head.contains("serde::") {
            "serde impls"
        } else if head.contains("fmt::Debug") {
            "Debug impls"
        } else if head.contains("smithy_runtime::shape::") || head.contains("smithy_runtime::operation::") {
            "runtime trait impls (shape, operation)"
        } else if head.contains(" for ") {
            "std trait impls (From, Display, Error, FromStr, AsRef)"
        } else if in_builders || head.contains("Builder") {
            "builders: setters and build"
        } else {
            "inherent methods (builder, new, validate, enums, errors)"
        }
    } else if line.starts_with("struct") {
        if in_builders {
            "builders: struct definitions"
        } else {
            "structure definitions"
        }
    } else if line.starts_with("enum") {
        if line.contains("Error ") {
            "operation error enums"
        } else {
            "enum and union definitions"
        }
    } else if line.starts_with("static") || line.starts_with("const") {
        "schemas"
    } else if line.starts_with("type") {
        "type aliases"
    } else if line.starts_with("trait") {
        "service trait"
    } else if line.starts_with("fn") || line.starts_with("async fn") {
        "functions (client, server)"
    } else {
        "module declarations, imports, comments"
    }
}

/// Each query's own time, by the construct of the item it was about.
fn time_by_construct(stem: &Path, krate: &str) -> BTreeMap<&'static str, f64> {
    let data = ProfilingData::new(stem).unwrap_or_else(|err| {
        eprintln!("error: cannot read the profile {}: {err}", stem.display());
        std::process::exit(1)
    });
    struct Interval {
        thread: u32,
        start: u128,
        end: u128,
        construct: &'static str,
        label: String,
        key: String,
    }
    let prefix = format!("{krate}::");
    let mut intervals = Vec::new();
    for event in data.iter_full() {
        let Some(stamp) = event.payload.timestamp().filter(|stamp| !stamp.is_instant()) else {
            continue;
        };
        let nanos = |time: std::time::SystemTime| time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let label = event.label.as_ref();
        if label.starts_with("self_profile") {
            // The profiler's own work.
            continue;
        }
        let key = event.additional_data.first().map(|key| key.as_ref()).unwrap_or("");
        let construct = match key.find(&prefix) {
            Some(at) => path_construct(&key[at + prefix.len()..]),
            None => crate_wide(label),
        };
        intervals.push(Interval {
            thread: event.thread_id,
            start: nanos(stamp.start()),
            end: nanos(stamp.end()),
            construct,
            label: label.to_owned(),
            key: key.to_owned(),
        });
    }
    intervals.sort_by_key(|i| (i.thread, i.start, std::cmp::Reverse(i.end)));
    // Own time: an interval's length less the intervals nested in it.
    let mut own: Vec<u128> = intervals.iter().map(|i| i.end - i.start).collect();
    let mut stack: Vec<usize> = Vec::new();
    for index in 0..intervals.len() {
        while let Some(&top) = stack.last() {
            if intervals[top].thread != intervals[index].thread || intervals[top].end <= intervals[index].start {
                stack.pop();
            } else {
                break;
            }
        }
        if let Some(&top) = stack.last() {
            own[top] = own[top].saturating_sub(intervals[index].end - intervals[index].start);
        }
        stack.push(index);
    }
    let mut totals = BTreeMap::new();
    let mut queries: BTreeMap<&str, f64> = BTreeMap::new();
    // `BY_QUERY=construct` keeps to the queries of constructs whose name contains it.
    let only = std::env::var("BY_QUERY").unwrap_or_default();
    for (interval, &nanos) in intervals.iter().zip(&own) {
        *totals.entry(interval.construct).or_insert(0.0) += nanos as f64 / 1e9;
        if interval.construct.contains(only.as_str()) {
            *queries.entry(&interval.label).or_insert(0.0) += nanos as f64 / 1e9;
        }
    }
    // `BY_KEY=query` prints what that query was asked about, longest first.
    if let Ok(query) = std::env::var("BY_KEY") {
        let mut keys: BTreeMap<&str, f64> = BTreeMap::new();
        for (interval, nanos) in intervals.iter().zip(&own) {
            if interval.label == query {
                *keys.entry(&interval.key).or_insert(0.0) += *nanos as f64 / 1e9;
            }
        }
        let mut keys: Vec<_> = keys.into_iter().collect();
        keys.sort_by(|a, b| b.1.total_cmp(&a.1));
        eprintln!("| {query} of | seconds |");
        eprintln!("|---|---:|");
        for (key, seconds) in keys.iter().take(30) {
            eprintln!("| {key} | {seconds:.4} |");
        }
    }
    if std::env::var_os("BY_QUERY").is_some() {
        // The queries that took longest, of every construct or of those `BY_QUERY` names.
        let all: f64 = queries.values().sum();
        let mut queries: Vec<_> = queries.into_iter().collect();
        queries.sort_by(|a, b| b.1.total_cmp(&a.1));
        eprintln!("| query | seconds | share |");
        eprintln!("|---|---:|---:|");
        for (label, seconds) in queries.iter().take(40) {
            eprintln!("| {label} | {seconds:.3} | {:.1}% |", 100.0 * seconds / all.max(f64::MIN_POSITIVE));
        }
    }
    totals
}

/// What a query about no item of the crate was doing, from its label.
fn crate_wide(label: &str) -> &'static str {
    if label.starts_with("LLVM") || label.starts_with("codegen") || label.contains("link") || label.contains("cgu") {
        "crate-wide: code generation and linking"
    } else if label.contains("metadata") || label.starts_with("encode") {
        "crate-wide: metadata"
    } else if label.starts_with("incr_comp") || label.contains("dep_graph") || label.contains("serialize") {
        "crate-wide: incremental state"
    } else if label.contains("expand") || label.contains("macro") || label.contains("parse") {
        "crate-wide: parsing and macro expansion"
    } else if label.contains("resolve") || label.contains("hir") || label.contains("lower") {
        "crate-wide: name resolution and lowering"
    } else {
        "crate-wide: other analysis (trait solving, coherence, lints, privacy)"
    }
}

/// The construct of an item of the crate, from its path (`operation::get_backend_auth::{{impl}}[3]::fmt`).
fn path_construct(path: &str) -> &'static str {
    let path = path.split_whitespace().next().unwrap_or(path);
    let segments: Vec<&str> = path.split("::").collect();
    let last = segments.last().copied().unwrap_or("");
    let top = segments.first().copied().unwrap_or("");
    let in_impl = path.contains("{{impl}}");
    match top {
        "schema" => return "schemas",
        "client" => return "functions (client, server)",
        "server" => return "functions (client, server)",
        "service" => return "service trait",
        _ => {}
    }
    if !in_impl {
        return if last == "SCHEMA" || last == "SERVICE" {
            "schemas"
        } else {
            "structure definitions"
        };
    }
    match last {
        "fmt" => "Debug impls",
        "clone" | "eq" | "ne" | "default" | "hash" | "assert_fields_are_eq" | "assert_receiver_is_total_eq" => {
            "derives (Clone, PartialEq, Default, Hash, Eq)"
        }
        "serialize" | "deserialize" => "serde impls",
        "view" | "member" | "variant" | "slot" | "finish" | "decode" | "zero" | "apply_defaults" | "decode_member"
        | "unknown" | "set_meta" | "meta" | "decode_error" | "error_value" | "SCHEMA" | "SERVICE" | "STATUS"
        | "FAULT" => "runtime trait impls (shape, operation)",
        "from" | "from_str" | "as_ref" | "source" | "description" => {
            "std trait impls (From, Display, Error, FromStr, AsRef)"
        }
        _ if path.contains("builders") => "builders: setters and build",
        _ => "inherent methods (builder, new, validate, enums, errors)",
    }
}

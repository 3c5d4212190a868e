//! The window code keeps the shape ARCHITECTURE.md describes, read from the sources themselves: no module
//! imports one that imports it back (directly or around a longer loop), no file is over 800 lines and no
//! function over 100 outside tests, and only the shell and the runtime move the user between views.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const MOST_LINES_IN_A_FILE: usize = 800;
const MOST_LINES_IN_A_FUNCTION: usize = 100;

/// One module of `src/ui`: its path under `crate::ui` ("" for `ui` itself, "kit" for `kit/mod.rs`,
/// "gallery::grid") and its lines outside `#[cfg(test)] mod` blocks, numbered from 1.
struct Module {
    path: String,
    file: String,
    code: Vec<(usize, String)>,
}

fn modules() -> Vec<Module> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let mut found = Vec::new();
    collect(&root, &root, &mut found);
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

fn collect(root: &Path, dir: &Path, found: &mut Vec<Module>) {
    for entry in std::fs::read_dir(dir).expect("src/ui can be listed") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(root, &path, found);
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let relative = path.strip_prefix(root).expect("under src/ui");
        let mut parts: Vec<String> = relative
            .iter()
            .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        if parts.last().is_some_and(|last| last == "mod") {
            parts.pop();
        }
        let text = std::fs::read_to_string(&path).expect("a source file can be read");
        found.push(Module {
            path: parts.join("::"),
            file: format!("src/ui/{}", relative.display()),
            code: outside_tests(&text),
        });
    }
}

/// The lines that are not in a top-level `#[cfg(test)] mod … { … }` block (rustfmt closes it with a `}`
/// alone at the start of a line).
fn outside_tests(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut code = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let starts_tests = lines[index].starts_with("#[cfg(test)]")
            && lines
                .get(index + 1)
                .is_some_and(|next| next.starts_with("mod "));
        if starts_tests {
            while index < lines.len() && lines[index] != "}" {
                index += 1;
            }
        } else {
            code.push((index + 1, lines[index].to_owned()));
        }
        index += 1;
    }
    code
}

/// The modules of `src/ui` that `module` names, through `crate::ui::…` or `super::…` paths.
fn imports(module: &Module, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent: Vec<&str> = match module.path.rsplit_once("::") {
        Some((parent, _)) => parent.split("::").collect(),
        None => Vec::new(),
    };
    let mut named = BTreeSet::new();
    for (_, line) in &module.code {
        let line = line.trim_start();
        if line.starts_with("//") || declares_or_reexports(line) {
            continue;
        }
        for (prefix, base) in [("crate::ui::", Vec::new()), ("super::", parent.clone())] {
            for (at, _) in line.match_indices(prefix) {
                let preceded_by_path = line[..at].ends_with("::");
                if prefix == "super::" && preceded_by_path {
                    continue;
                }
                let rest = &line[at + prefix.len()..];
                let segments: Vec<&str> = rest
                    .split("::")
                    .map(|segment| {
                        segment
                            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .next()
                            .unwrap_or("")
                    })
                    .take_while(|segment| !segment.is_empty())
                    .collect();
                // The longest prefix of the path that is a module.
                let mut path = base.clone();
                let mut deepest = base.join("::");
                for segment in segments {
                    path.push(segment);
                    let candidate = path.join("::");
                    if known.contains(&candidate) {
                        deepest = candidate;
                    }
                }
                if deepest != module.path {
                    named.insert(deepest);
                }
            }
        }
    }
    named
}

/// `mod x;` and `pub use …`: a folder declaring or re-exporting its children imports nothing.
fn declares_or_reexports(line: &str) -> bool {
    let after_visibility = match line.strip_prefix("pub") {
        Some(rest) => match rest.strip_prefix('(') {
            Some(scoped) => scoped.split_once(')').map_or("", |(_, after)| after),
            None => rest,
        },
        None => line,
    }
    .trim_start();
    after_visibility.starts_with("mod ")
        || (line.starts_with("pub") && after_visibility.starts_with("use "))
}

/// A loop in the import graph, as the modules around it, if there is one.
fn find_loop(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        trail: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = trail.iter().position(|n| n == node).unwrap_or(0);
                let mut around = trail[start..].to_vec();
                around.push(node.to_owned());
                return Some(around);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        trail.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, marks, trail) {
                return Some(found);
            }
        }
        trail.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}

fn import_graph(modules: &[Module]) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<String> = modules.iter().map(|m| m.path.clone()).collect();
    modules
        .iter()
        .map(|module| (module.path.clone(), imports(module, &known)))
        .collect()
}

#[test]
fn no_window_module_imports_one_that_imports_it_back() {
    let modules = modules();
    assert!(modules.len() > 40, "the window's modules are found");
    let graph = import_graph(&modules);
    assert!(
        graph["shell::app"].contains("gallery::grid"),
        "imports are read: the shell draws the gallery"
    );
    assert_eq!(find_loop(&graph), None, "a loop of imports in src/ui");
}

#[test]
fn a_loop_of_imports_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(from, to)| (from.to_owned(), to.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        find_loop(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn window_files_and_functions_stay_short() {
    let mut too_long = Vec::new();
    for module in modules() {
        if module.code.len() > MOST_LINES_IN_A_FILE {
            too_long.push(format!("{}: {} lines", module.file, module.code.len()));
        }
        for (name, line, length) in functions(&module.code) {
            if length > MOST_LINES_IN_A_FUNCTION {
                too_long.push(format!("{}:{line} {name}: {length} lines", module.file));
            }
        }
    }
    assert!(
        too_long.is_empty(),
        "split these into named steps: {too_long:#?}"
    );
}

/// Each function's name, first line and length in lines, from its `fn` line to the `}` that closes it at the
/// same indentation.
fn functions(code: &[(usize, String)]) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    for (index, (line_number, line)) in code.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(after_fn) = function_start(trimmed) else {
            continue;
        };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        let closing = format!("{indent}}}");
        if let Some((end, _)) = code[index..].iter().find(|(_, l)| l.trim_end() == closing) {
            let name = after_fn
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            found.push((name.to_owned(), *line_number, end - line_number + 1));
        }
    }
    found
}

/// What follows `fn ` when `line` starts a function: only visibility (`pub`, `pub(in crate::ui)`…) and
/// `const`, `async` or `unsafe` may come before it.
fn function_start(line: &str) -> Option<&str> {
    let mut rest = line;
    if let Some(after) = rest.strip_prefix("pub") {
        rest = match after.strip_prefix('(') {
            Some(scoped) => scoped.split_once(')')?.1,
            None => after,
        }
        .trim_start();
    }
    loop {
        let before = rest;
        for word in ["const ", "async ", "unsafe "] {
            rest = rest.strip_prefix(word).unwrap_or(rest);
        }
        if rest == before {
            break;
        }
    }
    rest.strip_prefix("fn ")
}

#[test]
fn functions_are_found_whatever_their_visibility() {
    let code: Vec<(usize, String)> = [
        "pub(in crate::ui) fn scoped() {",
        "    let x = 1;",
        "}",
        "pub(super) const fn constant() -> u8 {",
        "}",
        "    fn method(&self) {",
        "    }",
        "let f = some_fn (1);",
    ]
    .iter()
    .enumerate()
    .map(|(index, line)| (index + 1, (*line).to_owned()))
    .collect();
    let names: Vec<(String, usize)> = functions(&code)
        .into_iter()
        .map(|(name, _, length)| (name, length))
        .collect();
    assert_eq!(
        names,
        [
            ("scoped".to_owned(), 3),
            ("constant".to_owned(), 2),
            ("method".to_owned(), 2)
        ]
    );
}

#[test]
fn only_the_shell_and_the_runtime_move_the_user() {
    let mut movers = Vec::new();
    for module in modules().iter().filter(|m| m.path != "layout_tests") {
        let may_move = module.path.starts_with("shell") || module.path.starts_with("runtime");
        for (line_number, line) in &module.code {
            let moves = line.contains(".show_view(") || line.contains("services.select(");
            if moves && !may_move {
                movers.push(format!("{}:{line_number}", module.file));
            }
        }
    }
    assert!(
        movers.is_empty(),
        "a panel asks with Intent::Show, Intent::Select or Intent::OpenJob: {movers:?}"
    );
}

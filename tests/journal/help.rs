//! What the binary says about itself: `--version`, `--help` and the shell completion scripts.

use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_moodgrid"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const SUBCOMMANDS: [&str; 14] = [
    "imagine",
    "action",
    "blend",
    "describe",
    "seed",
    "inpaint",
    "fetch",
    "list",
    "resume",
    "board",
    "sim",
    "completions",
    "help",
    "render",
];

#[test]
fn version_and_help_say_what_the_binary_is_and_does() {
    let version = run(&["--version"]);
    assert!(version.status.success());
    assert_eq!(
        stdout(&version).trim(),
        format!("moodgrid {}", env!("CARGO_PKG_VERSION"))
    );

    let help = run(&["--help"]);
    assert!(help.status.success());
    let help = stdout(&help);
    for subcommand in &SUBCOMMANDS[..12] {
        assert!(
            help.contains(&format!("  {subcommand} ")),
            "--help lists {subcommand}:\n{help}"
        );
    }
    for variable in [
        "TTAPI_API_KEY",
        "TTAPI_BASE_URL",
        "MOODGRID_DATA_DIR",
        "RUST_LOG",
    ] {
        assert!(help.contains(variable), "--help names {variable}");
    }
    assert!(help.contains("Exit codes: 0 done, 1 the job failed"));

    // Every argument of every subcommand says what it is.
    for subcommand in [
        &["imagine"][..],
        &["action"],
        &["blend"],
        &["describe"],
        &["seed"],
        &["inpaint"],
        &["fetch"],
        &["list"],
        &["resume"],
        &["sim"],
        &["board", "render"],
        &["completions"],
    ] {
        let help = stdout(&run(&[subcommand, &["--help"]].concat()));
        let undocumented: Vec<&str> = help
            .lines()
            .skip_while(|line| !line.starts_with("Arguments:") && !line.starts_with("Options:"))
            .filter(|line| {
                // An argument line starts with "<NAME>", "-x" or "--flag"; its help follows after two spaces.
                let body = line.trim();
                (body.starts_with('<') || body.starts_with('-')) && !body.contains("  ")
            })
            .collect();
        assert!(
            undocumented.is_empty(),
            "{subcommand:?}: {undocumented:?}\n{help}"
        );
    }
}

#[test]
fn completion_scripts_cover_every_subcommand_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let output = run(&["completions", shell]);
        assert!(output.status.success(), "{shell}");
        let script = stdout(&output);
        for subcommand in SUBCOMMANDS {
            assert!(
                script.contains(subcommand),
                "{shell} completes {subcommand}"
            );
        }
    }
    let unknown = run(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("possible values: bash"));
}

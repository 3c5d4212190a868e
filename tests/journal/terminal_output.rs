//! What the command line prints: text from outside (prompts, board names, TTAPI's ids) never carries what
//! a terminal would act on, and a reader that goes away early ends a command quietly.

use std::io::BufRead as _;
use std::process::{Command, Stdio};

use moodgrid::domain::board::{Board, Content};
use moodgrid::library::Library;
use moodgrid::sim::{SimConfig, Simulator};

use super::{json_lines, moodgrid};

/// What a terminal would run, recolour or reorder: ESC, CSI (C1), BEL, DEL, a right-to-left override.
const ACTIVE: [char; 5] = ['\u{1b}', '\u{9b}', '\u{7}', '\u{7f}', '\u{202E}'];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_inert(what: &str, stdout: &[u8]) {
    let said = text(stdout);
    assert!(
        !said.chars().any(|c| ACTIVE.contains(&c)),
        "{what} printed a terminal control: {said:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_sequences_in_prompts_and_board_names_never_reach_stdout() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let prompt = "a \u{1b}[31mred\u{9b}2J fox\u{202E}\u{7f} at dusk";
    let made = moodgrid(&sim, dir, &["imagine", prompt, "--wait", "--json"]).await;
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    assert_inert("imagine --json", &made.stdout);
    // The JSON still says what the prompt is, escaped.
    assert_eq!(json_lines(&made, 0)[0]["prompt"], prompt);

    for args in [
        &["list"][..],
        &["list", "--json"],
        &["spend", "--by", "job"],
        &["spend", "--by", "job", "--csv"],
        &["imagine", prompt, "--dry-run"],
        &["params", prompt],
    ] {
        let output = moodgrid(&sim, dir, args).await;
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&output.stderr)
        );
        assert!(
            text(&output.stdout).contains("red"),
            "{args:?} printed the prompt: {}",
            text(&output.stdout)
        );
        assert_inert(&args.join(" "), &output.stdout);
    }

    // A board name as an imported file may have it.
    let library = Library::open(dir).unwrap();
    let mut board = Board::new("Harbour\u{1b}]0;owned\u{7} moods\u{9b}2J");
    board.add(
        Content::Note {
            text: "warm".into(),
            width: 100.0,
            height: 100.0,
        },
        moodgrid::domain::board::V2::new(0.0, 0.0),
    );
    library.create_board(&board).unwrap();
    let listed = moodgrid(&sim, dir, &["board", "list"]).await;
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    assert!(
        text(&listed.stdout).contains("Harbour]0;owned moods2J"),
        "{}",
        text(&listed.stdout)
    );
    assert_inert("board list", &listed.stdout);
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly_with_its_usual_status() {
    let data = tempfile::tempdir().unwrap();
    // 40 prompts of about 10 KB each: far more than a pipe holds, so the command is still writing when the
    // reader leaves after one line.
    let words = "a long and winding prompt about a lighthouse ".repeat(220);
    let options = (0..40)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let prompt = format!("{words} {{{options}}}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_moodgrid"))
        .args(["params", &prompt])
        .env("MOODGRID_DATA_DIR", data.path())
        .env_remove("TTAPI_API_KEY")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(
        first.starts_with("text: a long and winding prompt"),
        "{first}"
    );
    drop(reader);
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr, "", "nothing to say about a reader that left");
    assert_eq!(output.status.code(), Some(0));
}

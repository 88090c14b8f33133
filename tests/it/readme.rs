//! The README's commands work as written: every `$ watlink …` line of a ```console block is run from
//! the repository root and must print exactly what the README shows; the first of the "two commands"
//! is run through the built binary.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// (command line, expected output) for each `$ ` line of the console blocks.
fn console_commands(readme: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_console = false;
    let mut current: Option<(String, String)> = None;
    for line in readme.lines() {
        if line.starts_with("```") {
            if let Some(c) = current.take() {
                out.push(c);
            }
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            if let Some(c) = current.take() {
                out.push(c);
            }
            current = Some((cmd.to_string(), String::new()));
        } else if let Some((_, expected)) = &mut current {
            expected.push_str(line);
            expected.push('\n');
        }
    }
    out
}

/// Runs a README command line with the built binary; `-o FILE` goes to a temporary directory.
fn run(cmd: &str) -> (bool, String) {
    let mut args: Vec<String> = cmd.split_whitespace().map(String::from).collect();
    assert_eq!(
        args.remove(0),
        "watlink",
        "README command does not start with watlink: {cmd}"
    );
    let tmp = std::env::temp_dir().join(format!("watlink-readme-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    if let Some(i) = args.iter().position(|a| a == "-o") {
        args[i + 1] = tmp.join(&args[i + 1]).display().to_string();
    }
    let o = Command::new(env!("CARGO_BIN_EXE_watlink"))
        .args(&args)
        .current_dir(root())
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.success(), text)
}

#[test]
fn console_blocks_show_real_output() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let commands = console_commands(&readme);
    assert!(commands.len() >= 2, "the README has console examples");
    for (cmd, expected) in commands {
        let (_, actual) = run(&cmd);
        assert_eq!(
            actual.trim_end(),
            expected.trim_end(),
            "README output differs for `{cmd}`"
        );
    }
}

#[test]
fn the_first_command_compiles_the_bundled_example() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- compile"))
        .expect("the README's first command");
    let cmd = line.split('#').next().unwrap().trim();
    let (ok, out) = run(&format!(
        "watlink {}",
        cmd.trim_start_matches("cargo run --release -- ")
    ));
    assert!(ok, "{cmd}: {out}");
    assert!(
        readme.contains("\ncargo test "),
        "the README names the test command"
    );
}

//! The README's quick tour, taken from README.md at test time (never copied here) and run with
//! the built `kagi` first on PATH, in an empty directory, under `set -euo pipefail`: the README
//! cannot drift from the CLI.
#![allow(clippy::unwrap_used)]

mod common;
use std::path::Path;
use std::process::Command;

const BEGIN: &str = "<!-- readme-tour:begin -->";
const END: &str = "<!-- readme-tour:end -->";

/// The shell of every ```sh block between the tour's markers, in order.
fn tour(readme: &str) -> Result<String, String> {
    let (_, rest) = readme
        .split_once(BEGIN)
        .ok_or(format!("no {BEGIN} marker"))?;
    let (body, _) = rest.split_once(END).ok_or(format!("no {END} marker"))?;
    let mut script = String::new();
    let mut in_block = false;
    let mut blocks = 0;
    for line in body.lines() {
        match (in_block, line.trim_end()) {
            (false, "```sh") => {
                in_block = true;
                blocks += 1;
            }
            (false, l) if l.starts_with("```") => return Err(format!("a non-sh block: {l}")),
            (true, "```") => in_block = false,
            (true, l) => {
                script.push_str(l);
                script.push('\n');
            }
            (false, _) => {}
        }
    }
    if in_block {
        return Err("an unclosed ```sh block".into());
    }
    if blocks == 0 {
        return Err("no ```sh block between the markers".into());
    }
    Ok(script)
}

#[test]
fn the_extractor_takes_only_the_marked_sh_blocks() {
    let md = format!(
        "```sh\nnot this\n```\n{BEGIN}\ntext\n```sh\na\nb \\\n  c\n```\nmore\n```sh\nd\n```\n{END}\n```sh\nnor this\n```\n"
    );
    assert_eq!(tour(&md).unwrap(), "a\nb \\\n  c\nd\n");
    assert!(tour("```sh\na\n```\n").is_err());
    assert!(tour(&format!("{BEGIN}\n```sh\na\n{END}\n")).is_err());
    assert!(tour(&format!("{BEGIN}\n```text\na\n```\n{END}\n")).is_err());
}

#[test]
fn the_readme_quick_tour_runs_in_an_empty_directory() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let script = tour(&readme).unwrap();
    let scratch = common::tempdir();
    let bin = scratch.join("bin");
    let work = scratch.join("tour");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kagi"), bin.join("kagi")).unwrap();
    let mut bash = Command::new("bash");
    bash.env_clear();
    let out = test_support::process::keep_clock(&mut bash)
        .arg("-c")
        .arg(format!("set -euo pipefail\nset -x\n{script}"))
        .current_dir(&work)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", scratch.join("home"))
        .env("KAGI_STATE_DIR", scratch.join("state"))
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
    assert!(
        out.status.success(),
        "the README's tour stopped ({}); last lines of its trace, newest first:\n{}",
        out.status,
        tail.join("\n")
    );
}

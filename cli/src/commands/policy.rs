//! `kagi policy show | check | timeline | validate`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use cryptrec::{Algorithm, Dataset, Effect, ListKind, Policy, Verdict, parse_date};
use serde_json::json;

use crate::Outcome;
use crate::args::{ListChoice, PolicyCommand};
use crate::output::{CliError, print, print_json};

pub fn run(cmd: PolicyCommand) -> Result<Outcome, CliError> {
    match cmd {
        PolicyCommand::Show { list, json } => show(list, json),
        PolicyCommand::Check {
            algorithm,
            use_,
            as_of,
            policy,
            json,
        } => check(&algorithm, use_.into(), as_of.as_deref(), &policy, json),
        PolicyCommand::Timeline { json } => timeline(json),
        PolicyCommand::Validate { file, json } => validate(&file, json),
        PolicyCommand::Update { file, trust, state } => update(&file, &trust, &state),
        PolicyCommand::Dataset { state, json } => dataset_info(&state, json),
        PolicyCommand::SignDataset {
            list,
            strength,
            events,
            serial,
            key,
            cert,
            chain,
            passphrase,
            out,
        } => sign_dataset(
            &[&list, &strength, &events],
            serial,
            &key,
            &cert,
            chain.as_deref(),
            &passphrase,
            &out,
        ),
    }
}

/// Where an installed dataset lives.
fn dataset_dir(state: Option<&Path>) -> std::path::PathBuf {
    state
        .map(Path::to_path_buf)
        .unwrap_or_else(erase::state_dir::default_dir)
        .join("dataset")
}

/// The dataset in use: an installed package (re-verified against the trust it was installed
/// with), else the embedded one. Returns its serial, the dataset and where it came from.
pub fn active_dataset(state: Option<&Path>) -> Result<(u64, Arc<Dataset>, String), CliError> {
    let dir = dataset_dir(state);
    let pkg = dir.join("dataset.kagi");
    if !pkg.exists() {
        return Ok((0, Arc::new(Dataset::embedded()?), "embedded".into()));
    }
    let provider = crypto_core::Provider::egov()?;
    let trust = crate::files::bundle(Some(&dir.join("trust.pem")))?;
    let bytes = crate::files::read(&pkg)?;
    let (p, ds, _) = crypto_core::dataset::open(&provider, &bytes, &trust).map_err(|e| {
        CliError::Msg(format!(
            "{}: the installed dataset no longer verifies ({e}); remove {} to return to the embedded one",
            pkg.display(),
            dir.display()
        ))
    })?;
    Ok((
        p.serial,
        Arc::new(ds),
        format!("installed {}", pkg.display()),
    ))
}

fn update(file: &Path, trust: &Path, state: &crate::args::StateArgs) -> Result<Outcome, CliError> {
    let provider = crypto_core::Provider::egov()?;
    let trust_ders = crate::files::bundle(Some(trust))?;
    if trust_ders.is_empty() {
        return Err(CliError::Msg(format!(
            "{}: no certificates",
            trust.display()
        )));
    }
    let bytes = crate::files::read(file)?;
    let (package, ds, report) = crypto_core::dataset::open(&provider, &bytes, &trust_ders)
        .map_err(|e| CliError::No(format!("{}: refused: {e}", file.display())))?;
    let (serial, current, origin) = active_dataset(state.state_dir.as_deref())?;
    crypto_core::dataset::newer((package.serial, &ds), (serial, &current)).map_err(|why| {
        CliError::No(format!(
            "{}: refused: {why}; nothing was installed",
            file.display()
        ))
    })?;
    let dir = dataset_dir(state.state_dir.as_deref());
    std::fs::create_dir_all(&dir).map_err(|e| CliError::File {
        path: dir.clone(),
        source: e,
    })?;
    let mut pem = String::new();
    for d in &trust_ders {
        pem.push_str(&crypto_core::pki::to_pem(d)?);
    }
    crate::files::write_new(
        &dir.join("trust.pem"),
        pem.as_bytes(),
        crate::files::Mode::Public,
        true,
    )?;
    crate::files::write_new(
        &dir.join("dataset.kagi"),
        &bytes,
        crate::files::Mode::Public,
        true,
    )?;
    print(&format!(
        "installed {} + {} (list revised {}, serial {}), signed by {}; it replaces {} + {} ({origin})\n",
        ds.revision,
        ds.strength_revision,
        ds.revised,
        package.serial,
        report.signer.map(|s| s.subject).unwrap_or_default(),
        current.revision,
        current.strength_revision,
    ))?;
    Ok(Outcome::Yes)
}

fn dataset_info(state: &crate::args::StateArgs, json: bool) -> Result<Outcome, CliError> {
    let (serial, ds, origin) = active_dataset(state.state_dir.as_deref())?;
    if json {
        print_json(
            &json!({"list": ds.revision, "revised": ds.revised, "strength": ds.strength_revision,
            "events": ds.events.len(), "serial": serial, "origin": origin}),
        )?;
    } else {
        print(&format!(
            "{} (revised {}) + {}, {} compromise events, serial {serial} — {origin}\n",
            ds.revision,
            ds.revised,
            ds.strength_revision,
            ds.events.len()
        ))?;
    }
    Ok(Outcome::Yes)
}

fn sign_dataset(
    files: &[&std::path::PathBuf; 3],
    serial: u64,
    key: &Path,
    cert: &Path,
    chain: Option<&Path>,
    passphrase: &crate::passphrase::PassphraseIn,
    out: &Path,
) -> Result<Outcome, CliError> {
    let provider = crypto_core::Provider::egov()?;
    let text = |p: &Path| {
        String::from_utf8(crate::files::read(p)?)
            .map_err(|_| CliError::Msg(format!("{}: not UTF-8", p.display())))
    };
    let package = crypto_core::dataset::Package {
        kind: crypto_core::dataset::KIND.into(),
        serial,
        issued: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        list: text(files[0])?,
        strength: text(files[1])?,
        events: text(files[2])?,
    };
    let k = super::key::load_private(key, passphrase, &provider)?;
    let cert_der = crate::files::bundle(Some(cert))?
        .into_iter()
        .next()
        .ok_or_else(|| CliError::Msg(format!("{}: no certificate", cert.display())))?;
    let chain = crate::files::bundle(chain)?;
    let signer = crypto_core::cms::Signer::new(
        &provider,
        &k,
        &cert_der,
        crypto_core::hash::HashAlgorithm::Sha256,
    )?;
    let bytes = crypto_core::dataset::seal(&provider, &package, &signer, &chain)?;
    crate::files::write_new(out, &bytes, crate::files::Mode::Public, false)?;
    print(&format!(
        "signed dataset package (serial {serial}) → {}\n",
        out.display()
    ))?;
    Ok(Outcome::Yes)
}

/// A built-in policy by name, or an organisation policy file, over the dataset in use.
pub fn load_policy(spec: &str) -> Result<Policy, CliError> {
    let (_, ds, _) = active_dataset(None)?;
    match cryptrec::Base::parse(spec) {
        Some(base) => Ok(Policy::builtin_with(base, ds)),
        None if Path::new(spec).exists() => {
            let text = std::fs::read_to_string(spec).map_err(|e| CliError::File {
                path: spec.into(),
                source: e,
            })?;
            Ok(Policy::parse(&text, spec, ds)?)
        }
        None => Err(cryptrec::Error::UnknownPolicy(spec.to_string()).into()),
    }
}

fn implemented(name: &str) -> Option<&'static str> {
    crypto_core::IMPLEMENTED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, what)| *what)
}

fn show(list: ListChoice, json: bool) -> Result<Outcome, CliError> {
    let (_, ds, _) = active_dataset(None)?;
    let wanted = |k: ListKind| match list {
        ListChoice::All => true,
        ListChoice::Recommended => k == ListKind::Recommended,
        ListChoice::Pqc => k == ListKind::Pqc,
        ListChoice::Candidate => k == ListKind::Candidate,
        ListChoice::Monitored => k == ListKind::Monitored,
    };
    let entries: Vec<_> = ds.entries.iter().filter(|e| wanted(e.list)).collect();
    if json {
        let entries: Vec<_> = entries
            .iter()
            .map(|e| {
                json!({
                    "name": e.name, "list": e.list, "category": e.category, "kind": e.kind,
                    "params": e.params, "notes": e.notes, "since": e.since,
                    "implemented": implemented(&e.name).is_some(),
                    "implementation": implemented(&e.name),
                })
            })
            .collect();
        let notes: Vec<_> = ds
            .notes
            .iter()
            .map(|n| json!({"id": n.id, "text": n.en}))
            .collect();
        print_json(&json!({
            "revision": ds.revision, "title": ds.title, "published": ds.published,
            "revised": ds.revised, "entries": entries, "notes": notes, "unlisted": ds.unlisted,
            "policies": cryptrec::Base::ALL.iter().map(|b| json!({
                "name": b.name(), "permits": b.description(),
            })).collect::<Vec<_>>(),
        }))?;
        return Ok(Outcome::Yes);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} (first edition {}, revised {})",
        ds.revision, ds.title, ds.published, ds.revised
    );
    let mut cited = Vec::new();
    for kind in [
        ListKind::Recommended,
        ListKind::Pqc,
        ListKind::Candidate,
        ListKind::Monitored,
    ] {
        let of_kind: Vec<_> = entries.iter().filter(|e| e.list == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", kind.title());
        let mut category = "";
        for e in of_kind {
            if e.category != category {
                category = &e.category;
                let _ = writeln!(out, "  {category}");
            }
            let mut line = format!("    {:<22}", e.name);
            if !e.params.is_empty() {
                let _ = write!(line, " {}", e.params.join(", "));
            }
            if !e.notes.is_empty() {
                let _ = write!(line, " [{}]", e.notes.join(" "));
                cited.extend(e.notes.iter().cloned());
            }
            if let Some(what) = implemented(&e.name) {
                let _ = write!(line, "  (kagi: {what})");
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    cited.sort();
    cited.dedup();
    if !cited.is_empty() {
        let _ = writeln!(out, "\nNotes");
        for n in ds.notes.iter().filter(|n| cited.contains(&n.id)) {
            let _ = writeln!(out, "  {}  {}", n.id, n.en);
        }
    }
    if matches!(list, ListChoice::All) {
        let _ = writeln!(out, "\nBuilt-in policies (--policy NAME)");
        for b in cryptrec::Base::ALL {
            let _ = writeln!(out, "  {:<10} {}", b.name(), b.description());
        }
    }
    print(&out)?;
    Ok(Outcome::Yes)
}

fn check(
    alg: &str,
    use_: cryptrec::Use,
    as_of: Option<&str>,
    policy: &str,
    json: bool,
) -> Result<Outcome, CliError> {
    let policy = load_policy(policy)?;
    let algorithm: Algorithm = alg.parse()?;
    let date = match as_of {
        Some(d) => parse_date(d)?,
        None => Policy::today(),
    };
    let verdict = policy.evaluate(&algorithm, use_, date);
    if json {
        print_json(&verdict)?;
    } else {
        print(&render_verdict(&verdict))?;
    }
    Ok(if verdict.allows() {
        Outcome::Yes
    } else {
        Outcome::No
    })
}

/// A verdict in words: one headline, then each reason with its citation.
pub fn render_verdict(v: &Verdict) -> String {
    let mut out = format!(
        "{}: {} (use: {}, as of {}, policy {})\n",
        v.algorithm,
        v.status,
        v.use_.as_str(),
        v.as_of,
        v.policy
    );
    let strength = match v.strength {
        0 => "none (broken or below the table)".to_string(),
        s => format!("{s} bits"),
    };
    let _ = writeln!(out, "  strength: {strength}");
    for r in &v.reasons {
        let mark = match r.effect {
            Effect::Refuses => "refuses",
            Effect::Limits => "limits ",
            Effect::Permits => "permits",
            Effect::Informs => "note   ",
        };
        let _ = writeln!(out, "  {mark}  {}\n           [{}]", r.text, r.source);
    }
    let _ = writeln!(out, "  dataset: {}", v.dataset);
    out
}

fn timeline(json: bool) -> Result<Outcome, CliError> {
    let (_, ds, _) = active_dataset(None)?;
    if json {
        print_json(&json!({
            "revision": ds.strength_revision, "title": ds.strength_title,
            "rows": ds.strength, "below_table": ds.below_table_text, "equivalence": ds.equivalence,
        }))?;
        return Ok(Outcome::Yes);
    }
    let mut out = format!("{} — {}\n\n", ds.strength_revision, ds.strength_title);
    let _ = writeln!(
        out,
        "{:<10} {:<28} {:<22} process (処理)",
        "strength", "protect (新規生成)", "migration ends"
    );
    let d = |x: Option<cryptrec::Date>| x.map_or_else(|| "—".to_string(), |d| d.to_string());
    for r in &ds.strength {
        let protect = match r.protect_usable_until {
            Some(u) => format!("利用可 through {u}"),
            None => "利用可 through 2070".into(),
        };
        let process = match r.process_usable_until {
            Some(u) => format!("利用可 through {u}, then 許容 (legacy)"),
            None => "利用可 through 2070".into(),
        };
        let _ = writeln!(
            out,
            "{:<10} {:<28} {:<22} {}",
            format!("{}-bit", r.bits),
            protect,
            d(r.protect_until),
            process
        );
    }
    let _ = writeln!(out, "< 112-bit  {}\n", ds.below_table_text);
    let _ = writeln!(
        out,
        "Key-size equivalences (NIST SP 800-57 Part 1, followed by LS-0003)"
    );
    let _ = writeln!(
        out,
        "  {:<9} {:>10} {:>14} {:>10}",
        "strength", "RSA", "DH/DSA (L/N)", "ECC order"
    );
    for e in &ds.equivalence {
        let _ = writeln!(
            out,
            "  {:<9} {:>10} {:>14} {:>10}",
            e.bits,
            e.ifc_modulus,
            format!("{}/{}", e.ffc_modulus, e.ffc_subgroup),
            e.ecc_order
        );
    }
    print(&out)?;
    Ok(Outcome::Yes)
}

fn validate(file: &Path, json: bool) -> Result<Outcome, CliError> {
    let p = Policy::from_file(file)?;
    let (legacy, reason) = p.legacy_process();
    if json {
        print_json(&json!({
            "valid": true, "name": p.name(), "base": p.base().name(), "min_strength": p.min_strength(),
            "legacy_process": legacy, "legacy_reason": reason,
        }))?;
    } else {
        let mut out = format!(
            "{}: valid — policy `{}` narrows base `{}` ({})\n",
            file.display(),
            p.name(),
            p.base().name(),
            p.base().description()
        );
        let _ = writeln!(out, "  minimum strength: {} bits", p.min_strength());
        if !legacy.is_empty() {
            let _ = writeln!(
                out,
                "  legacy processing allowed for: {} — {}",
                legacy.join(", "),
                reason.unwrap_or("")
            );
        }
        print(&out)?;
    }
    Ok(Outcome::Yes)
}
